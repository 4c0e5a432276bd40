// The `store` option of the handlers, with stores that fail or count: every failure of the app's
// store is 503 store_unavailable, a wrong store is a configuration error, and the webhook handler
// applies a connection event before its handlers, once per delivery in flight.
import type { ConnectionChange, ConnectionStore, StoredConnection } from '@oflink/protocol';
import { describe, expect, it, vi } from 'vitest';
import { signedWebhook, WEBHOOK_SECRET } from '../test/support';
import { createConfirmHandler } from './createConfirmHandler';
import { createConnectionsHandler } from './createConnectionsHandler';
import { createLinkHandler } from './createLinkHandler';
import { createWebhookHandler } from './createWebhookHandler';

const SECRET = WEBHOOK_SECRET;
const APP = 'http://app.test';
const user = () => 'user_7';

function stored(id: string, owner: string): StoredConnection {
  return {
    id,
    status: 'active',
    userData: null,
    permissions: [],
    clientReferenceId: owner,
    createdAt: null,
    updatedAt: new Date().toISOString(),
    lastEvent: null,
  };
}

/** A store whose every method fails like a database that went away. */
function downStore(): ConnectionStore {
  const fail = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  return { record: fail, applyChange: fail, list: fail, find: fail, remove: fail };
}

function memoryStore(rows: StoredConnection[] = []): ConnectionStore & { changes: ConnectionChange[] } {
  const changes: ConnectionChange[] = [];
  return {
    changes,
    record: async (_u, c) => stored(c.id, _u),
    applyChange: async (change) => {
      changes.push(change);
      return true;
    },
    list: async (u) => rows.filter((r) => r.clientReferenceId === u),
    find: async (id) => rows.find((r) => r.id === id) ?? null,
    remove: async () => undefined,
  };
}

const browser = (method: string, path: string, body?: unknown) =>
  new Request(`${APP}${path}`, {
    method,
    headers: { 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function codeOf(res: Response) {
  return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
}

function signedEvent(id: string) {
  const payload = JSON.stringify({
    eventType: 'connection.expired',
    live: false,
    data: {
      connection: { id: 'conn_h1', platformUserId: '9', status: 'expired' },
      clientReferenceId: 'user_7',
    },
  });
  const at = new Date();
  return () => signedWebhook(payload, { id, at });
}

describe('a store that is down', () => {
  it('is 503 store_unavailable from the connections endpoint, and reported to onError', async () => {
    const onError = vi.fn();
    const handler = createConnectionsHandler({
      apiKey: 'sk_test',
      store: downStore(),
      getClientReferenceId: user,
      onError,
    });
    expect(await codeOf(await handler(browser('GET', '/api/oflink/connections')))).toEqual([
      503,
      'store_unavailable',
    ]);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/conn_1')))).toEqual([
      503,
      'store_unavailable',
    ]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'store_unavailable' }));
    expect(String(onError.mock.calls[0]?.[0].cause)).toContain('ECONNREFUSED');
  });

  it('is 503 store_unavailable for a reconnect when the owner cannot be looked up', async () => {
    const handler = createLinkHandler({
      apiKey: 'sk_test',
      redirectUrl: 'http://127.0.0.1/callback',
      store: downStore(),
      getClientReferenceId: user,
      onError: () => undefined,
    });
    const res = await handler(browser('POST', '/api/oflink/session', { connectionId: 'conn_h1' }));
    expect(await codeOf(res)).toEqual([503, 'store_unavailable']);
  });

  it('is 503 store_unavailable for a webhook, and no handler runs (the sender retries)', async () => {
    const own = vi.fn();
    const handler = createWebhookHandler({
      secret: SECRET,
      store: downStore(),
      on: { 'connection.expired': own },
      onError: () => undefined,
    });
    expect(await codeOf(await handler(signedEvent('msg_down')()))).toEqual([503, 'store_unavailable']);
    expect(own).not.toHaveBeenCalled();
  });
});

describe('the webhook handler with a store', () => {
  it('applies a connection event before the handlers, and concurrent duplicates once', async () => {
    const store = memoryStore();
    const order: string[] = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      // a store slow enough that the second delivery arrives while the first is applied
      store: {
        ...store,
        applyChange: async (c) => {
          order.push('store');
          await new Promise((resolve) => setTimeout(resolve, 100));
          return store.applyChange(c);
        },
      },
      on: { 'connection.expired': () => void order.push('handler') },
    });
    const request = signedEvent('msg_once');
    const answers = await Promise.all([handler(request()), handler(request())]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(order).toEqual(['store', 'handler']);
    expect(store.changes).toEqual([
      expect.objectContaining({
        messageId: 'msg_once',
        type: 'connection.expired',
        clientReferenceId: 'user_7',
        connection: expect.objectContaining({ id: 'conn_h1', status: 'expired' }),
      }),
    ]);
  });
});

describe('the connections endpoint', () => {
  it("lists only the signed-in user's connections, and refuses another's disconnect", async () => {
    const handler = createConnectionsHandler({
      apiKey: 'sk_test',
      store: memoryStore([stored('conn_mine', 'user_7'), stored('conn_theirs', 'user_8')]),
      getClientReferenceId: user,
    });
    const list = (await (await handler(browser('GET', '/api/oflink/connections'))).json()) as {
      connections: { id: string }[];
    };
    expect(list.connections.map((c) => c.id)).toEqual(['conn_mine']);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/conn_theirs')))).toEqual([
      403,
      'connection_not_owned',
    ]);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/%E0%A4%A')))).toEqual([
      400,
      'invalid_request',
    ]);
  });
});

describe('a wrong store', () => {
  it.each([
    [
      'createConnectionsHandler',
      () => createConnectionsHandler({ store: {} as never, getClientReferenceId: user }),
    ],
    [
      'createConnectionsHandler without a store',
      () => createConnectionsHandler({ getClientReferenceId: user } as never),
    ],
    [
      'createConfirmHandler',
      () => createConfirmHandler({ store: { list: 1 } as never, getClientReferenceId: user }),
    ],
    ['createLinkHandler', () => createLinkHandler({ store: 'db' as never, getClientReferenceId: user })],
    ['createWebhookHandler', () => createWebhookHandler({ secret: SECRET, store: [] as never, on: {} })],
  ])('%s throws invalid_options at creation', (_name, create) => {
    expect(create).toThrowError(expect.objectContaining({ code: 'invalid_options' }));
  });
});
