import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Connection } from '@oflink/protocol';
import type { ConnectionChange, ConnectionStore } from '@oflink/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../test/postgresServer';
import { ConnectionStoreError } from './ConnectionStoreError';
import {
  type ConnectionStoreOptions,
  createConnectionStore,
  type PostgresConnectionStore,
} from './createConnectionStore';

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
    type,
    timestamp: at(seconds),
    connection: { id, status },
    clientReferenceId: null,
    live: null,
    ...over,
  } satisfies ConnectionChange;
}

/** A webhook message with this change, claimed and handled as the webhook handler does: true when it was new. */
async function apply(store: ConnectionStore, c: ConnectionChange, messageId = `msg_${uid()}`) {
  const claim = await store.claimMessage(messageId, c);
  if (claim === 'claimed') await store.settleMessage(messageId, 'handled');
  return claim === 'claimed';
}

/** The two databases every rule is proven on: two stores share one database, as two app servers would. */
interface Backend {
  name: string;
  open(options?: Omit<ConnectionStoreOptions, 'database'>): PostgresConnectionStore;
  /** A statement on the database itself, beside the stores. */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  cleanup(): Promise<void>;
}

const embedded = (): Backend => {
  const shared = new PGlite();
  return {
    name: 'embedded (PGlite)',
    open: (options) => createConnectionStore({ ...options, database: shared }),
    sql: async (text, params) => (await shared.query(text, params)).rows as never,
    cleanup: () => shared.close(),
  };
};

let server: PostgresServer;
const onServer = (): Backend => {
  const opened: PostgresConnectionStore[] = [];
  const pool = new pg.Pool({ connectionString: server.url });
  return {
    name: 'PostgreSQL server',
    open: (options) => {
      const store = createConnectionStore({ ...options, database: server.url });
      opened.push(store);
      return store;
    },
    sql: async (text, params) => (await pool.query(text, params)).rows as never,
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await pool.end();
    },
  };
};

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
    expect(stored).toMatchObject({
      id,
      status: 'active',
      clientReferenceId: ada,
      lastEvent: null,
      live: null,
    });
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

  it('claims one webhook message once, even delivered to two servers at the same moment', async () => {
    const [ada, id] = [user(), connId()];
    const created = change(id, 'connection.created', 5, { clientReferenceId: ada });
    const claims = await Promise.all([
      a.claimMessage('msg_same', created),
      b.claimMessage('msg_same', created),
      a.claimMessage('msg_same', created),
    ]);
    expect(claims.sort()).toEqual(['busy', 'busy', 'claimed']);
    await a.settleMessage('msg_same', 'handled');
    expect(await b.claimMessage('msg_same', created)).toBe('handled');
    expect((await a.list(ada)).map((c) => [c.id, c.lastEvent])).toEqual([[id, 'connection.created']]);
  });

  it('releases a failed message so that the retry claims it again, and applying its change again changes nothing', async () => {
    const [ada, id] = [user(), connId()];
    const expired = change(id, 'connection.expired', 5, { clientReferenceId: ada });
    expect(await a.claimMessage('msg_fails', expired)).toBe('claimed');
    await a.settleMessage('msg_fails', 'failed');
    expect(await b.claimMessage('msg_fails', expired)).toBe('claimed');
    await b.settleMessage('msg_fails', 'handled');
    expect(await a.list(ada)).toEqual([expect.objectContaining({ id, status: 'expired', updatedAt: at(5) })]);
  });

  it('an older event never changes the state, whatever order they come in', async () => {
    const [ada, id] = [user(), connId()];
    await a.record(ada, connection(id, ada));
    expect(await apply(a, change(id, 'connection.expired', 30))).toBe(true);
    // a late retry of an earlier update arrives after the expiry
    expect(await apply(b, change(id, 'connection.updated', 20, { clientReferenceId: ada }))).toBe(true);
    expect(await a.find(id)).toMatchObject({
      status: 'expired',
      lastEvent: 'connection.expired',
      updatedAt: at(30),
    });
    // a newer event applies
    await apply(a, change(id, 'connection.updated', 40, { clientReferenceId: ada }));
    expect((await a.find(id))?.status).toBe('active');
  });

  it('an older event still fills what the record lacks: owner, profile, permissions, creation time', async () => {
    const [ada, id] = [user(), connId()];
    // the expiry (id and status only, no owner) arrives before the creation
    await apply(a, change(id, 'connection.expired', 50));
    expect(await a.find(id)).toMatchObject({ clientReferenceId: null, userData: null, permissions: [] });
    const created = change(id, 'connection.created', 10, {
      clientReferenceId: ada,
      connection: {
        id,
        status: 'active',
        userData: { id: '42', name: 'Ada', username: 'ada', avatar: null },
        permissions: ['profile:read'],
        createdAt: at(10),
      },
    });
    await apply(b, created);
    expect(await a.find(id)).toMatchObject({
      status: 'expired',
      clientReferenceId: ada,
      userData: { username: 'ada' },
      permissions: ['profile:read'],
      createdAt: at(10),
      updatedAt: at(50),
      lastEvent: 'connection.expired',
    });
    expect((await a.list(ada)).map((c) => c.id)).toEqual([id]);
  });

  it('keeps what a newer event did not carry (an expiry names only the id and status)', async () => {
    const [ada, id] = [user(), connId()];
    await a.record(ada, connection(id, ada));
    await apply(a, change(id, 'connection.expired', 50));
    expect(await a.find(id)).toMatchObject({
      clientReferenceId: ada,
      permissions: ['profile:read'],
      userData: { username: 'ada' },
    });
  });

  it('an empty owner names nobody: it never replaces the real one', async () => {
    const [ada, id] = [user(), connId()];
    await a.record(ada, connection(id, ada));
    await apply(a, change(id, 'connection.updated', 60, { clientReferenceId: '' }));
    expect((await a.find(id))?.clientReferenceId).toBe(ada);
  });

  it('does not let a confirmation older than an applied event change its status', async () => {
    const [ada, id] = [user(), connId()];
    await apply(a, change(id, 'connection.expired', 50, { clientReferenceId: ada }));
    const stored = await a.record(ada, connection(id, ada, { updatedAt: at(10) }));
    expect(stored).toMatchObject({ status: 'expired', updatedAt: at(50), userData: { username: 'ada' } });
  });

  it('a removed or disconnected connection is never listed again, keeps no OnlyFans profile, whatever arrives late', async () => {
    const [ada, id, id2] = [user(), connId(), connId()];
    await a.record(ada, connection(id, ada));
    await a.record(ada, connection(id2, ada));
    await a.remove(id);
    // a disconnect wins even when it is dated before what the record holds
    await apply(a, change(id2, 'connection.disconnected', 0));
    await apply(
      b,
      change(id, 'connection.updated', 99, {
        clientReferenceId: ada,
        connection: { id, status: 'active', userData: { id: '1', name: null, username: 'x', avatar: null } },
      }),
    );
    await b.record(ada, connection(id2, ada, { updatedAt: at(99) }));
    expect(await a.list(ada)).toEqual([]);
    expect(await a.find(id)).toBeNull();
    expect(await a.find(id2)).toBeNull();
    const rows = await backend.sql<{ status: string; user_data: unknown; permissions: unknown }>(
      'SELECT status, user_data, permissions FROM oflink_connections WHERE id = ANY($1) ORDER BY id',
      [[id, id2]],
    );
    expect(rows).toEqual([
      { status: 'disconnected', user_data: null, permissions: null },
      { status: 'disconnected', user_data: null, permissions: null },
    ]);
  });

  it('keeps live and sandbox connections apart in the list', async () => {
    const ada = user();
    const [live, sandbox, unknown] = [connId(), connId(), connId()];
    await a.record(ada, connection(live, ada), { live: true });
    await a.record(ada, connection(sandbox, ada), { live: false });
    await apply(a, change(unknown, 'connection.created', 1, { clientReferenceId: ada }));
    const ids = async (l: boolean | null) => (await b.list(ada, { live: l })).map((c) => c.id).sort();
    expect(await ids(true)).toEqual([live, unknown].sort());
    expect(await ids(false)).toEqual([sandbox, unknown].sort());
    expect(await ids(null)).toEqual([live, sandbox, unknown].sort());
  });

  it.each([
    ['a 10,000-character connection id', () => change(`conn_${'a'.repeat(10_000)}`, 'connection.expired', 1)],
    [
      'a 5,000-character owner',
      () => change(connId(), 'connection.expired', 1, { clientReferenceId: 'u'.repeat(5_000) }),
    ],
    [
      'a NUL byte in the owner',
      () => change(connId(), 'connection.expired', 1, { clientReferenceId: 'a\u0000b' }),
    ],
    [
      'a NUL byte in the profile',
      () =>
        change(connId(), 'connection.created', 1, {
          connection: {
            id: connId(),
            status: 'active',
            userData: { id: '1', name: 'a\u0000b', username: 'x', avatar: null },
          },
        }),
    ],
  ])('refuses %s as invalid_data, and stores nothing of it', async (_what, make) => {
    const c = make();
    await expect(a.claimMessage(`msg_${uid()}`, c)).rejects.toMatchObject({
      name: 'ConnectionStoreError',
      code: 'invalid_data',
    });
    expect(await backend.sql('SELECT id FROM oflink_connections WHERE id = $1', [c.connection.id])).toEqual(
      [],
    );
  });

  it('keeps a rejected message, counted, and answers its redelivery as handled; a 10,000-character message id too', async () => {
    const long = `msg_${'x'.repeat(10_000)}`;
    for (const id of ['msg_rejected', long]) {
      await a.settleMessage(id, 'rejected');
      expect(await b.claimMessage(id, null)).toBe('handled');
    }
    const [row] = await backend.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM oflink_webhook_messages WHERE state = 'rejected' AND (id = 'msg_rejected' OR id LIKE 'sha256:%')`,
    );
    expect(row?.n).toBe(2);
  });

  it('lists the most recently changed first', async () => {
    const ada = user();
    const ids = [connId(), connId(), connId()];
    for (const [i, id] of ids.entries()) await a.record(ada, connection(id, ada, { updatedAt: at(i) }));
    expect((await a.list(ada)).map((c) => c.id)).toEqual([...ids].reverse());
  });

  it('purges message ids and disconnected records past the retention while it runs, with its indexes valid', async () => {
    const store = backend.open({ retentionSeconds: 1 });
    const [ada, id] = [user(), connId()];
    await store.record(ada, connection(id, ada));
    await store.remove(id);
    expect(await store.claimMessage('msg_old', null)).toBe('claimed');
    await store.settleMessage('msg_old', 'handled');
    await sleep(1_100);
    // a call after the purge interval starts the purge; the next call waits behind it
    await store.claimMessage('msg_new', null);
    await expect
      .poll(async () => backend.sql('SELECT id FROM oflink_webhook_messages WHERE id = $1', ['msg_old']))
      .toEqual([]);
    await expect
      .poll(async () => backend.sql('SELECT id FROM oflink_connections WHERE id = $1', [id]))
      .toEqual([]);
    expect(
      await backend.sql('SELECT id FROM oflink_webhook_messages WHERE id = $1', ['msg_new']),
    ).toHaveLength(1);
    const indexes = await backend.sql<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname IN ('oflink_webhook_messages_received', 'oflink_connections_disconnected') ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { name: 'oflink_connections_disconnected', valid: true },
      { name: 'oflink_webhook_messages_received', valid: true },
    ]);
  });
});

describe('connection store failures', () => {
  it('a closed store rejects every call with ConnectionStoreError', async () => {
    const store = createConnectionStore();
    await store.list(user());
    await store.close();
    await expect(store.list(user())).rejects.toBeInstanceOf(ConnectionStoreError);
    await expect(
      store.claimMessage('msg_closed', change(connId(), 'connection.created', 1)),
    ).rejects.toMatchObject({
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
      await expect(store.claimMessage('msg_down', expired)).rejects.toBeInstanceOf(ConnectionStoreError);
      await expect(store.list(ada)).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await server.start();
    }
    // the sender retries the same message: it was not claimed by the failed attempt
    expect(await store.claimMessage('msg_down', expired)).toBe('claimed');
    expect((await store.find(id))?.status).toBe('expired');
    await store.close();
  });

  it('fails a call on a stalled table with store_unavailable at its statement deadline', async () => {
    const store = createConnectionStore({ database: server.url, timeoutMs: 500 });
    const ada = user();
    await store.list(ada);
    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE oflink_connections IN ACCESS EXCLUSIVE MODE');
      await expect(store.list(ada)).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await store.list(ada)).toEqual([]);
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

  it('upgrades a database of the first schema version, keeping its rows, with several servers starting at once', async () => {
    const db = new PGlite();
    await db.exec(`
      CREATE TABLE oflink_schema (version integer NOT NULL);
      INSERT INTO oflink_schema VALUES (1);
      CREATE TABLE oflink_connections (id text PRIMARY KEY, client_reference_id text, status text NOT NULL,
        user_data jsonb, permissions jsonb NOT NULL DEFAULT '[]', created_at timestamptz,
        changed_at timestamptz NOT NULL, last_event text);
      CREATE TABLE oflink_webhook_messages (id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO oflink_connections (id, client_reference_id, status, changed_at) VALUES ('conn_v1', 'user_v1', 'active', now());
      INSERT INTO oflink_webhook_messages (id) VALUES ('msg_v1');
    `);
    const [one, two] = [createConnectionStore({ database: db }), createConnectionStore({ database: db })];
    await Promise.all([one.ready(), two.ready()]);
    expect((await one.list('user_v1')).map((c) => [c.id, c.permissions, c.live])).toEqual([
      ['conn_v1', [], null],
    ]);
    expect(await two.claimMessage('msg_v1', null)).toBe('handled');
    expect((await db.query('SELECT max(version) AS v FROM oflink_schema')).rows).toEqual([{ v: 2 }]);
    await db.close();
  });
});
