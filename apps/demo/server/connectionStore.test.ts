import type { Connection, WebhookEvent } from '@oflink/server';
import { describe, expect, it } from 'vitest';
import { ConnectionStore } from './connectionStore';

type ConnectionEvent = Extract<WebhookEvent, { type: `connection.${string}` }>;

const user = { id: '1', name: 'Ana', username: 'ana', avatar: null };

function event(
  type: ConnectionEvent['type'],
  at: string,
  status: string,
  owner: string | null = 'user_a',
): ConnectionEvent {
  return {
    id: `msg_${type}_${at}`,
    type,
    timestamp: at,
    scheme: 'standard',
    data: { clientReferenceId: owner, connection: { id: 'conn_1', status, userData: user, updatedAt: at } },
  } as ConnectionEvent;
}

const connection = (status: Connection['status'], updatedAt: string): Connection => ({
  id: 'conn_1',
  status,
  userData: user,
  permissions: ['profile:read'],
  expiredAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt,
  clientReferenceId: 'user_a',
  imported: false,
  lastCheckedAt: null,
});

describe('ConnectionStore', () => {
  it('gives a webhook-announced connection to the user named in clientReferenceId only', () => {
    const store = new ConnectionStore();
    store.applyEvent(event('connection.created', '2026-01-01T00:00:01.000Z', 'active'));
    expect(store.owns('user_a', 'conn_1')).toBe(true);
    expect(store.owns('user_b', 'conn_1')).toBe(false);
    expect(store.list('user_a')).toEqual([
      expect.objectContaining({
        id: 'conn_1',
        status: 'active',
        sources: ['webhook'],
        lastEvent: 'connection.created',
      }),
    ]);
    expect(store.list('user_b')).toEqual([]);
  });

  it('ignores a late retry of an older event', () => {
    const store = new ConnectionStore();
    store.applyEvent(event('connection.expired', '2026-01-01T00:00:05.000Z', 'expired'));
    store.applyEvent(event('connection.created', '2026-01-01T00:00:01.000Z', 'active'));
    expect(store.list('user_a')[0]).toMatchObject({ status: 'expired', lastEvent: 'connection.expired' });
  });

  it('marks a disconnected connection as such, keeping it listed', () => {
    const store = new ConnectionStore();
    store.applyEvent(event('connection.created', '2026-01-01T00:00:01.000Z', 'active'));
    store.applyEvent(event('connection.disconnected', '2026-01-01T00:00:02.000Z', 'active'));
    expect(store.list('user_a')[0]?.status).toBe('disconnected');
  });

  it('a confirmation makes the confirming user an owner and does not undo a newer webhook', () => {
    const store = new ConnectionStore();
    store.applyEvent(event('connection.expired', '2026-01-01T00:00:05.000Z', 'expired', null));
    expect(store.owns('user_a', 'conn_1')).toBe(false);
    const view = store.confirm('user_a', connection('active', '2026-01-01T00:00:01.000Z'));
    expect(view).toMatchObject({ status: 'expired', sources: ['webhook', 'confirmed'] });
    expect(store.owns('user_a', 'conn_1')).toBe(true);
  });

  it('remembers processed webhook message ids', () => {
    const store = new ConnectionStore();
    expect(store.seen('msg_1')).toBe(false);
    store.remember('msg_1');
    expect(store.seen('msg_1')).toBe(true);
  });
});
