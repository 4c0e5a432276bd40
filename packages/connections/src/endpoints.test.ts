// The store behind @oflink/server's endpoints, against the simulator: confirmations, signed
// webhooks, listing, disconnecting, reconnecting, and a database that goes away and comes back.
// Delivery to several servers, retries, resends and bad data: delivery.test.ts.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionStore } from '@oflink/server';
import { toNodeHandler } from '@oflink/server';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appServer as appServerOf, call, expireAtOfauth, listOf } from '../test/appServer';
import { type PostgresServer, startPostgres } from '../test/postgresServer';
import { createConnectionStore, type PostgresConnectionStore } from './createConnectionStore';

const user = () => `user_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

let sim: Simulator;
let pgServer: PostgresServer;
let hook: Server;
/** Where the simulator's webhooks go: swapped per test. */
let deliver: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });

beforeAll(async () => {
  [sim, pgServer] = await Promise.all([
    startSimulator({ port: 0, host: '127.0.0.1', quiet: true, webhookRetryBaseMs: 50 }),
    startPostgres(),
  ]);
  hook = createServer(toNodeHandler((request) => deliver(request)));
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  sim.configure({ webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks` });
});
afterAll(async () => {
  await new Promise((resolve) => hook.close(resolve));
  await Promise.all([sim.stop(), pgServer.destroy()]);
});
afterEach(async () => {
  await sim.webhooksIdle();
  sim.clearFaults();
});

const appServer = (store: ConnectionStore) => appServerOf(sim, store);

describe.each([
  ['embedded', () => createConnectionStore()],
  ['server', () => createConnectionStore({ database: pgServer.url })],
] as const)('the endpoints on the %s database', (_kind, open) => {
  let store: PostgresConnectionStore;
  let app: ReturnType<typeof appServer>;
  beforeAll(() => {
    store = open();
    app = appServer(store);
  });
  afterAll(() => store.close());

  it('a confirmed connection is listed for its user and for nobody else', async () => {
    const [ada, eve] = [user(), user()];
    const conn = sim.addConnection({ clientReferenceId: ada });
    const res = await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
    expect(res.status).toBe(200);
    expect((await listOf(app, ada)).map((c) => [c.id, c.status])).toEqual([[conn.id, 'active']]);
    expect(await listOf(app, eve)).toEqual([]);
    const stolen = await call(app.confirm, 'POST', '/api/oflink/confirm', eve, { connectionId: conn.id });
    expect([stolen.status, ((await stolen.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'connection_not_owned',
    ]);
    expect(await listOf(app, eve)).toEqual([]);
  });

  it("OFAuth's signed webhooks keep the list true: confirmed, then expired", async () => {
    deliver = app.webhooks;
    const ada = user();
    const conn = sim.addConnection({ clientReferenceId: ada });
    await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
    expect((await listOf(app, ada)).map((c) => c.status)).toEqual(['active']);
    await expireAtOfauth(sim, conn.id);
    await sim.webhooksIdle();
    expect(sim.webhookDeliveries().at(-1)).toMatchObject({ eventType: 'connection.expired', status: 200 });
    expect((await listOf(app, ada)).map((c) => c.status)).toEqual(['expired']);
  });

  it('disconnect: only the owner, OFAuth first, then the store', async () => {
    const [ada, eve] = [user(), user()];
    const conn = sim.addConnection({ clientReferenceId: ada });
    await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
    const path = `/api/oflink/connections/${conn.id}`;

    const notOwner = await call(app.connections, 'DELETE', path, eve);
    expect(notOwner.status).toBe(403);
    const unknown = await call(app.connections, 'DELETE', '/api/oflink/connections/conn_unknown0000', ada);
    expect(unknown.status).toBe(404);
    const noId = await call(app.connections, 'DELETE', '/api/oflink/connections', ada);
    expect(noId.status).toBe(400);

    sim.injectFault({ type: 'status', status: 500, times: 10 });
    const upstreamDown = await call(app.connections, 'DELETE', path, ada);
    expect(upstreamDown.status).toBe(502);
    expect(await listOf(app, ada)).toHaveLength(1);
    sim.clearFaults();

    const done = await call(app.connections, 'DELETE', path, ada);
    expect([done.status, await done.json()]).toEqual([200, { disconnected: conn.id }]);
    expect(sim.connections().some((c) => c.id === conn.id)).toBe(false);
    expect(await listOf(app, ada)).toEqual([]);
  });

  it('reconnect: allowed for the owner of the stored connection only', async () => {
    const [ada, eve] = [user(), user()];
    const conn = sim.addConnection({ clientReferenceId: ada });
    await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
    const mine = await call(app.session, 'POST', '/api/oflink/session', ada, { connectionId: conn.id });
    expect(mine.status).toBe(200);
    const theirs = await call(app.session, 'POST', '/api/oflink/session', eve, { connectionId: conn.id });
    expect([theirs.status, ((await theirs.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'connection_not_owned',
    ]);
  });

  it('unauthenticated and wrong methods are refused with their codes', async () => {
    const anon = await call(app.connections, 'GET', '/api/oflink/connections', '');
    expect(anon.status).toBe(401);
    const put = await call(app.connections, 'PUT', '/api/oflink/connections', user());
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, DELETE']);
    const crossSite = await app.connections(
      new Request(`http://app.test/api/oflink/connections/conn_abc`, {
        method: 'DELETE',
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test', 'x-user': user() },
      }),
    );
    expect(crossSite.status).toBe(403);
  });
});

describe('the database goes away and comes back', () => {
  it('503 store_unavailable for every endpoint, nothing lost, and the retried webhook applies', async () => {
    const store = createConnectionStore({ database: pgServer.url });
    const app = appServer(store);
    const ada = user();
    deliver = app.webhooks;
    const conn = sim.addConnection({ clientReferenceId: ada });
    await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
    expect(await listOf(app, ada)).toHaveLength(1);

    await pgServer.stop();
    try {
      const list = await call(app.connections, 'GET', '/api/oflink/connections', ada);
      expect([list.status, ((await list.json()) as { error: { code: string } }).error.code]).toEqual([
        503,
        'store_unavailable',
      ]);
      const confirm = await call(app.confirm, 'POST', '/api/oflink/confirm', ada, { connectionId: conn.id });
      expect(confirm.status).toBe(503);
      const del = await call(app.connections, 'DELETE', `/api/oflink/connections/${conn.id}`, ada);
      expect(del.status).toBe(503);
      expect(sim.connections().some((c) => c.id === conn.id)).toBe(true);
      // the expiry's first delivery fails while the database is down …
      sim.configure({ webhookRetryBaseMs: 1500 });
      await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
        method: 'POST',
        headers: { apiKey: sim.apiKey },
      });
      await expect
        .poll(
          () =>
            sim.webhookDeliveries().filter((d) => d.eventType === 'connection.expired' && d.status === 503)
              .length,
        )
        .toBeGreaterThan(0);
    } finally {
      await pgServer.start();
    }
    // … and the sender's retry lands once it is back
    await sim.webhooksIdle();
    sim.configure({ webhookRetryBaseMs: 50 });
    expect((await listOf(app, ada)).map((c) => c.status)).toEqual(['expired']);
    await store.close();
  });
});
