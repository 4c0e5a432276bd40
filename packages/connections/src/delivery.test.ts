// Connections kept true under real delivery: the simulator sends signed webhooks, in both signature
// schemes and both envelopes, to three app servers sharing one database (a PostgreSQL server, each
// server with its own pool; or one embedded database), and the sender retries, resends and
// duplicates as OFAuth's does. The server's unit tests cover the same rules with stores in memory.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import type { ConnectionStore } from '@oflink/server';
import { toNodeHandler, type WebhookEvent } from '@oflink/server';
import { type Simulator, signStandard, startSimulator } from '@oflink/simulator';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type App, appServer, call, expireAtOfauth, linkOverHttp, listOf } from '../test/appServer';
import { type PostgresServer, startPostgres } from '../test/postgresServer';
import { createConnectionStore, type PostgresConnectionStore } from './createConnectionStore';

let sim: Simulator;
let pgServer: PostgresServer;
let hook: Server;
let hookUrl = '';
/** Where the simulator's webhooks go: swapped per test. */
let deliver: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
let n = 0;
const user = () => `user_${Date.now().toString(36)}_${n++}`;

beforeAll(async () => {
  [sim, pgServer] = await Promise.all([
    startSimulator({ port: 0, host: '127.0.0.1', quiet: true, webhookRetryBaseMs: 20 }),
    startPostgres(),
  ]);
  hook = createServer(toNodeHandler((request) => deliver(request)));
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks`;
  sim.configure({ webhookUrl: hookUrl });
});
afterAll(async () => {
  await new Promise((resolve) => hook.close(resolve));
  await Promise.all([sim.stop(), pgServer.destroy()]);
});
afterEach(async () => {
  await sim.webhooksIdle();
  sim.clearFaults();
  sim.configure({ webhookScheme: 'standard', webhookEnvelope: 'sdk', webhookConnectionShape: 'sdk' });
});

/** Three app servers on one database; the handlers of every server count the messages they ran for. */
function cluster(open: () => ConnectionStore) {
  const ran: string[] = [];
  const on = { '*': (event: WebhookEvent) => void ran.push(event.id) };
  const apps: App[] = [0, 1, 2].map(() => appServer(sim, open(), { on }));
  let next = 0;
  return {
    apps,
    ran,
    /** The next server in turn takes the request, as a load balancer would. */
    roundRobin: (request: Request) => (apps[next++ % 3] as App).webhooks(request),
  };
}

type Backend = {
  name: string;
  open: () => ConnectionStore;
  sql: (q: string, p?: unknown[]) => Promise<unknown[]>;
};

const backends: [string, () => Promise<Backend & { close(): Promise<void> }>][] = [
  [
    'a PostgreSQL server, one pool per app server',
    async () => {
      const stores: PostgresConnectionStore[] = [];
      const pool = new pg.Pool({ connectionString: pgServer.url });
      return {
        name: 'server',
        open: () => {
          const store = createConnectionStore({ database: pgServer.url });
          stores.push(store);
          return store;
        },
        sql: async (q, p) => (await pool.query(q, p)).rows,
        close: async () => {
          await Promise.all(stores.map((s) => s.close()));
          await pool.end();
        },
      };
    },
  ],
  [
    'one embedded database',
    async () => {
      const db = new PGlite();
      return {
        name: 'embedded',
        open: () => createConnectionStore({ database: db }),
        sql: async (q, p) => (await db.query(q, p)).rows,
        close: () => db.close(),
      };
    },
  ],
];

describe.each(backends)('webhooks to three app servers on %s', (_name, make) => {
  let backend: Backend & { close(): Promise<void> };
  let servers: ReturnType<typeof cluster>;
  beforeAll(async () => {
    backend = await make();
    servers = cluster(backend.open);
  });
  beforeEach(() => {
    servers.ran.length = 0;
  });
  afterAll(() => backend.close());

  describe.each([
    ['standard', 'sdk'],
    ['standard', 'docs'],
    ['ofauth', 'sdk'],
    ['ofauth', 'docs'],
  ] as const)('signed %s, %s envelope', (scheme, envelope) => {
    it('a resend of an older event after a newer one changes no state, and fills what the record lacked', async () => {
      sim.configure({ webhookScheme: scheme, webhookEnvelope: envelope });
      const { apps, roundRobin } = servers;
      const ada = user();
      // the creation's five attempts all fail; the expiry after it lands
      deliver = async (request) => {
        const body = await request.clone().text();
        return body.includes('connection.created')
          ? new Response(null, { status: 500 })
          : roundRobin(request);
      };
      const id = await linkOverHttp(sim, ada);
      await sim.webhooksIdle();
      await expireAtOfauth(sim, id);
      await sim.webhooksIdle();
      expect(await listOf(apps[0] as App, ada)).toEqual([expect.objectContaining({ id, status: 'expired' })]);
      // the dashboard resends the failed creation, long after
      deliver = roundRobin;
      const created = sim
        .webhookDeliveries()
        .find((d) => d.eventType === 'connection.created' && d.body.includes(id));
      expect(await sim.resendWebhook(created?.id ?? '')).toBe(true);
      expect(sim.webhookDeliveries().at(-1)).toMatchObject({ eventType: 'connection.created', status: 200 });
      const [after] = await listOf(apps[1] as App, ada);
      expect(after).toMatchObject({ id, status: 'expired', clientReferenceId: ada });
      expect(after?.userData?.username).toBeTruthy();
    });

    it('a second expiry with a body identical to the first is applied after a reconnect', async () => {
      sim.configure({ webhookScheme: scheme, webhookEnvelope: envelope });
      const { apps, roundRobin } = servers;
      deliver = roundRobin;
      const ada = user();
      const id = await linkOverHttp(sim, ada);
      await expireAtOfauth(sim, id);
      await sim.webhooksIdle();
      await linkOverHttp(sim, ada, id);
      await sim.webhooksIdle();
      expect((await listOf(apps[0] as App, ada)).map((c) => c.status)).toEqual(['active']);
      // OFAuth-Signature signs whole seconds: two identical bodies signed in one second are one message
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
      await expireAtOfauth(sim, id);
      await sim.webhooksIdle();
      const expiries = sim
        .webhookDeliveries()
        .filter((d) => d.eventType === 'connection.expired' && d.body.includes(id));
      if (envelope === 'sdk') expect(expiries[0]?.body).toBe(expiries[1]?.body);
      expect((await listOf(apps[2] as App, ada)).map((c) => c.status)).toEqual(['expired']);
    });
  });

  it('the same message to three servers, a hundred times each: applied once, the handlers run once, the rest are duplicates', async () => {
    const { apps, ran } = servers;
    deliver = async () => new Response(null, { status: 204 });
    const ada = user();
    const id = await linkOverHttp(sim, ada);
    await sim.webhooksIdle();
    const sent = sim
      .webhookDeliveries()
      .find((d) => d.eventType === 'connection.created' && d.body.includes(id));
    if (!sent) throw new Error('no creation was sent');
    const replay = (app: App) =>
      app.webhooks(
        new Request('http://app.test/webhooks', { method: 'POST', headers: sent.headers, body: sent.body }),
      );
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        replay(apps[i % 3] as App).then(async (r) => [r.status, await r.json()]),
      ),
    );
    const kinds = answers.map(([status, body]) =>
      status === 409 ? 'in_progress' : (body as { duplicate?: boolean }).duplicate ? 'duplicate' : status,
    );
    // one server applies it; the others find it handled, or (409) being handled now: the sender retries those
    expect(kinds.filter((k) => k === 200)).toHaveLength(1);
    expect(kinds.filter((k) => k === 'duplicate' || k === 'in_progress')).toHaveLength(299);
    expect(ran.filter((m) => m === sent.id)).toEqual([sent.id]);
    for (const app of apps) {
      const again = await replay(app);
      expect([again.status, await again.json()]).toEqual([200, { received: true, duplicate: true }]);
    }
    expect(ran.filter((m) => m === sent.id)).toHaveLength(1);
    expect((await listOf(apps[0] as App, ada)).map((c) => c.id)).toEqual([id]);
  });

  it.each([
    ['a 10,000-character connection id', { id: `conn_${'x'.repeat(10_000)}` }, 'user_poison'],
    ['a 5,000-character owner', { id: 'conn_poison1' }, 'u'.repeat(5_000)],
    ['a NUL byte in the owner', { id: 'conn_poison2' }, 'user\u0000poison'],
  ])(
    'a signed event with %s is answered 200 on every delivery, never retried, and counted',
    async (_what, connection, owner) => {
      const { apps, ran } = servers;
      const body = JSON.stringify({
        eventType: 'connection.expired',
        live: false,
        data: {
          connection: { platformUserId: '1', status: 'expired', ...connection },
          clientReferenceId: owner,
        },
      });
      const msgId = `msg_poison_${n++}`;
      const send = (app: App) => {
        const ts = Math.floor(Date.now() / 1000);
        const headers = {
          'content-type': 'application/json',
          'svix-id': msgId,
          'svix-timestamp': String(ts),
          'svix-signature': signStandard(sim.webhookSecret, msgId, ts, body),
        };
        return app.webhooks(new Request('http://app.test/webhooks', { method: 'POST', headers, body }));
      };
      for (const app of apps) {
        const res = await send(app);
        expect([res.status, await res.json()]).toEqual([200, { received: true, rejected: true }]);
      }
      expect(ran).toEqual([]);
      expect(await backend.sql(`SELECT state FROM oflink_webhook_messages WHERE id = $1`, [msgId])).toEqual([
        { state: 'rejected' },
      ]);
    },
  );

  it('a disconnect removes the OnlyFans profile from the record', async () => {
    const { apps, roundRobin } = servers;
    deliver = roundRobin;
    const ada = user();
    const id = await linkOverHttp(sim, ada);
    await sim.webhooksIdle();
    expect((await listOf(apps[0] as App, ada))[0]?.userData).not.toBeNull();
    const res = await call((apps[1] as App).connections, 'DELETE', `/api/oflink/connections/${id}`, ada);
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    expect(
      await backend.sql('SELECT status, user_data, permissions FROM oflink_connections WHERE id = $1', [id]),
    ).toEqual([{ status: 'disconnected', user_data: null, permissions: null }]);
  });

  it('keeps sandbox connections out of the list a live key shows', async () => {
    const { apps, roundRobin } = servers;
    deliver = roundRobin;
    const ada = user();
    const id = await linkOverHttp(sim, ada);
    await sim.webhooksIdle();
    // the simulator's key is a sandbox key: its events say live: false
    expect((await listOf(apps[0] as App, ada)).map((c) => c.id)).toEqual([id]);
    const live = appServer(sim, backend.open(), { apiKey: 'sk_live_other' });
    expect(await listOf(live, ada)).toEqual([]);
  });
});

describe('confirmations through the store', () => {
  let store: PostgresConnectionStore;
  beforeAll(() => {
    store = createConnectionStore({ database: pgServer.url });
  });
  afterAll(() => store.close());

  /** A fetch that counts OFAuth's list calls. */
  function listCalls() {
    const counted = { calls: 0, fetch: (async () => new Response()) as typeof fetch };
    counted.fetch = (input, init) => {
      if (String(input).includes('/v2/account/connections')) counted.calls++;
      return fetch(input, init);
    };
    return counted;
  }

  it('confirms a connection a verified connection.created already recorded for the user with no call to OFAuth', async () => {
    const counted = listCalls();
    const app = appServer(sim, store, { fetch: counted.fetch });
    deliver = app.webhooks;
    const ada = user();
    const id = await linkOverHttp(sim, ada);
    await sim.webhooksIdle();
    const res = await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: id });
    expect([res.status, ((await res.json()) as { connection: { id: string } }).connection.id]).toEqual([
      200,
      id,
    ]);
    expect(counted.calls).toBe(0);
    const eve = await call(app.confirm, 'POST', '/api/oflink/confirm', user(), { connectionId: id });
    expect(eve.status).toBe(403);
    expect(counted.calls).toBe(0);
  });

  it('confirms a genuine new connection past 5,000 active connections, waiting for its webhook', async () => {
    for (let i = 0; i < 5_050; i++) sim.addConnection({ clientReferenceId: `crowd_${i}` });
    const counted = listCalls();
    const app = appServer(sim, store, { fetch: counted.fetch });
    // the creation's webhook is held until the confirmation has gone through the whole listing
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    deliver = async (request) => {
      await held;
      return app.webhooks(request);
    };
    const ada = user();
    const id = await linkOverHttp(sim, ada);
    const confirming = call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: id });
    await expect.poll(() => counted.calls, { timeout: 30_000 }).toBe(50);
    release();
    const res = await confirming;
    expect(res.status).toBe(200);
    expect(counted.calls).toBe(50);
  });
});
