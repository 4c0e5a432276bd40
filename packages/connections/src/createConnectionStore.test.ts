import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { Connection, ConnectionChange } from '@oflink/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../test/postgresServer';
import { ConnectionStoreError } from './ConnectionStoreError';
import { createConnectionStore, type PostgresConnectionStore } from './createConnectionStore';

const uid = () => randomUUID().replace(/-/g, '').slice(0, 16);
const user = () => `user_${uid()}`;
const connId = () => `conn_${uid()}`;
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, seconds)).toISOString();

function connection(id: string, owner: string, over: Partial<Connection> = {}): Connection {
  return {
    id,
    status: 'active',
    userData: { id: '42', name: 'Ada', username: 'ada', avatar: null },
    permissions: ['profile:read'],
    expiredAt: null,
    createdAt: at(0),
    updatedAt: at(1),
    clientReferenceId: owner,
    imported: false,
    lastCheckedAt: null,
    ...over,
  };
}

function change(
  id: string,
  type: ConnectionChange['type'],
  seconds: number,
  over: Partial<ConnectionChange> = {},
) {
  const status = type === 'connection.expired' ? 'expired' : 'active';
  return {
    messageId: `msg_${uid()}`,
    type,
    timestamp: at(seconds),
    connection: { id, status },
    clientReferenceId: null,
    ...over,
  } satisfies ConnectionChange;
}

/** The two databases every rule is proven on: two stores share one database, as two app servers would. */
interface Backend {
  name: string;
  open(): PostgresConnectionStore;
  cleanup(): Promise<void>;
}

const embedded = (): Backend => {
  const shared = new PGlite();
  return {
    name: 'embedded (PGlite)',
    open: () => createConnectionStore({ database: shared }),
    cleanup: () => shared.close(),
  };
};

let server: PostgresServer;
const opened: PostgresConnectionStore[] = [];
const onServer = (): Backend => ({
  name: 'PostgreSQL server',
  open: () => {
    const store = createConnectionStore({ database: server.url });
    opened.push(store);
    return store;
  },
  cleanup: async () => {
    await Promise.all(opened.map((s) => s.close()));
  },
});

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.destroy();
});

describe.each([
  ['embedded', embedded],
  ['server', onServer],
] as const)('connection store on the %s database', (_kind, make) => {
  let backend: Backend;
  let a: PostgresConnectionStore;
  let b: PostgresConnectionStore;
  beforeAll(() => {
    backend = make();
    a = backend.open();
    b = backend.open();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it('records a confirmed connection for its user only', async () => {
    const [ada, eve, id] = [user(), user(), connId()];
    const stored = await a.record(ada, connection(id, ada));
    expect(stored).toMatchObject({ id, status: 'active', clientReferenceId: ada, lastEvent: null });
    expect(stored.userData?.username).toBe('ada');
    expect((await b.list(ada)).map((c) => c.id)).toEqual([id]);
    expect(await b.list(eve)).toEqual([]);
    expect((await b.find(id))?.clientReferenceId).toBe(ada);
  });

  it('keeps one record under concurrent confirmations from two servers', async () => {
    const [ada, id] = [user(), connId()];
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).record(ada, connection(id, ada))));
    const list = await a.list(ada);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id, status: 'active' });
  });

  it('applies one webhook message once, even delivered to two servers at the same moment', async () => {
    const [ada, id] = [user(), connId()];
    const created = change(id, 'connection.created', 5, { clientReferenceId: ada });
    const results = await Promise.all([
      a.applyChange(created),
      b.applyChange(created),
      a.applyChange(created),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await a.list(ada)).map((c) => [c.id, c.lastEvent])).toEqual([[id, 'connection.created']]);
  });

  it('ignores an event older than the newest one applied to its connection', async () => {
    const [ada, id] = [user(), connId()];
    await a.record(ada, connection(id, ada));
    expect(await a.applyChange(change(id, 'connection.expired', 30))).toBe(true);
    // a late retry of an earlier update arrives after the expiry
    expect(await b.applyChange(change(id, 'connection.updated', 20, { clientReferenceId: ada }))).toBe(true);
    const [stored] = await a.list(ada);
    expect(stored).toMatchObject({ status: 'expired', lastEvent: 'connection.expired', updatedAt: at(30) });
    // a newer event applies
    await a.applyChange(change(id, 'connection.updated', 40, { clientReferenceId: ada }));
    expect((await a.find(id))?.status).toBe('active');
  });

  it('keeps what an event did not carry (an expiry names only the id and status)', async () => {
    const [ada, id] = [user(), connId()];
    await a.record(ada, connection(id, ada));
    await a.applyChange(change(id, 'connection.expired', 50));
    expect(await a.find(id)).toMatchObject({
      clientReferenceId: ada,
      permissions: ['profile:read'],
      userData: { username: 'ada' },
    });
  });

  it('does not let a confirmation older than an applied event change its status', async () => {
    const [ada, id] = [user(), connId()];
    await a.applyChange(change(id, 'connection.expired', 50, { clientReferenceId: ada }));
    const stored = await a.record(ada, connection(id, ada, { updatedAt: at(10) }));
    expect(stored).toMatchObject({ status: 'expired', updatedAt: at(50), userData: { username: 'ada' } });
  });

  it('an event for a connection not yet confirmed is kept, listed once its owner is known', async () => {
    const [ada, id] = [user(), connId()];
    await a.applyChange(change(id, 'connection.expired', 5));
    expect(await a.list(ada)).toEqual([]);
    await a.record(ada, connection(id, ada, { updatedAt: at(1) }));
    expect((await a.list(ada))[0]).toMatchObject({ id, status: 'expired' });
  });

  it('a removed or disconnected connection is never listed again, whatever arrives late', async () => {
    const [ada, id, id2] = [user(), connId(), connId()];
    await a.record(ada, connection(id, ada));
    await a.record(ada, connection(id2, ada));
    await a.remove(id);
    await a.applyChange(change(id2, 'connection.disconnected', 60));
    await b.applyChange(change(id, 'connection.updated', 99, { clientReferenceId: ada }));
    await b.record(ada, connection(id2, ada, { updatedAt: at(99) }));
    expect(await a.list(ada)).toEqual([]);
    expect(await a.find(id)).toBeNull();
    expect(await a.find(id2)).toBeNull();
  });

  it('lists the most recently changed first', async () => {
    const ada = user();
    const ids = [connId(), connId(), connId()];
    for (const [i, id] of ids.entries()) await a.record(ada, connection(id, ada, { updatedAt: at(i) }));
    expect((await a.list(ada)).map((c) => c.id)).toEqual([...ids].reverse());
  });
});

describe('connection store failures', () => {
  it('a closed store rejects every call with ConnectionStoreError', async () => {
    const store = createConnectionStore();
    await store.list(user());
    await store.close();
    await expect(store.list(user())).rejects.toBeInstanceOf(ConnectionStoreError);
    await expect(store.applyChange(change(connId(), 'connection.created', 1))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
  });

  it('when the server is down: typed errors, nothing half-applied, and the retried event applies after', async () => {
    const store = createConnectionStore({ database: server.url });
    const [ada, id] = [user(), connId()];
    await store.record(ada, connection(id, ada));
    const expired = change(id, 'connection.expired', 70);
    await server.stop();
    try {
      await expect(store.applyChange(expired)).rejects.toBeInstanceOf(ConnectionStoreError);
      await expect(store.list(ada)).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await server.start();
    }
    // the sender retries the same message: it was not marked applied by the failed attempt
    expect(await store.applyChange(expired)).toBe(true);
    expect((await store.find(id))?.status).toBe('expired');
    await store.close();
  });

  it('a store created while the server is down works once it is up (the schema is made on first use)', async () => {
    await server.stop();
    let store: PostgresConnectionStore | undefined;
    try {
      const fresh = new pg.Pool({ connectionString: server.url, connectionTimeoutMillis: 2000 });
      fresh.on('error', () => undefined);
      store = createConnectionStore({ database: fresh });
      await expect(store.list(user())).rejects.toBeInstanceOf(ConnectionStoreError);
      await server.start();
      expect(await store.list(user())).toEqual([]);
      await fresh.end();
    } finally {
      await server.start().catch(() => undefined);
    }
  });

  it('an embedded database in a directory keeps the connections across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'oflink-pglite-'));
    try {
      const [ada, id] = [user(), connId()];
      const first = createConnectionStore({ database: join(dir, 'db') });
      await first.record(ada, connection(id, ada));
      await first.close();
      const second = createConnectionStore({ database: join(dir, 'db') });
      expect((await second.list(ada)).map((c) => c.id)).toEqual([id]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
