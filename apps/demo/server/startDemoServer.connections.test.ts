// The demo server's connections over real HTTP: learned from signed webhooks, listed, disconnected, on
// a PostgreSQL server too; and the built client it serves.
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { startPostgres } from '../../../packages/connections/test/postgresServer';
import { completeHostedFlow, demo, sim, visitor, withDemoServer } from './demoTestKit';
import { startDemoServer, USER_COOKIE } from './startDemoServer';

withDemoServer();

describe('webhooks and GET /api/oflink/connections', () => {
  it('lists a connection made through the hosted page, learned from the signed webhook', async () => {
    const v = visitor();
    await v.arrive();
    const { url } = (await (await v.json('/api/oflink/session', {})).json()) as { url: string };
    const callback = await completeHostedFlow(url, 'maya@creator.sandbox.com');
    expect(callback.origin + callback.pathname).toBe(`${demo.url}/callback`);
    expect(callback.searchParams.get('status')).toBe('success');
    const connectionId = callback.searchParams.get('connection_id');
    await sim.webhooksIdle();
    const delivery = sim.webhookDeliveries().find((d) => d.url === `${demo.url}/api/webhooks/ofauth`);
    expect(delivery?.status).toBe(200);
    const { connections } = (await (await v.request('/api/oflink/connections')).json()) as {
      connections: {
        id: string;
        status: string;
        lastEvent: string;
        userData: { name: string };
      }[];
    };
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      id: connectionId,
      status: 'active',
      lastEvent: 'connection.created',
      userData: { name: 'Maya' },
    });
    // and the webhook alone makes it the user's: a reconnect is accepted
    expect((await v.json('/api/oflink/session', { connectionId })).status).toBe(200);
    // another visitor sees nothing
    const w = visitor();
    await w.arrive();
    expect(await (await w.request('/api/oflink/connections')).json()).toEqual({ connections: [] });
  });

  it('follows an expiry announced by webhook', async () => {
    const v = visitor();
    await v.arrive();
    const conn = sim.addConnection({ clientReferenceId: v.user });
    expect((await v.json('/api/oflink/confirm', { connectionId: conn.id })).status).toBe(200);
    const res = await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    const { connections } = (await (await v.request('/api/oflink/connections')).json()) as {
      connections: { id: string; status: string; lastEvent: string }[];
    };
    expect(connections).toEqual([
      expect.objectContaining({
        id: conn.id,
        status: 'expired',
        lastEvent: 'connection.expired',
      }),
    ]);
  });

  it('rejects a webhook with a bad signature and records nothing', async () => {
    const body = JSON.stringify({
      eventType: 'connection.created',
      live: false,
      data: {
        clientReferenceId: 'user_BBBBBBBBBBBBBBBB',
        connection: { id: 'conn_forged', status: 'active' },
      },
    });
    const res = await fetch(`${demo.url}/api/webhooks/ofauth`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'svix-id': 'msg_forged',
        'svix-timestamp': String(Math.floor(Date.now() / 1000)),
        'svix-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      body,
    });
    expect(res.status).toBe(401);
    const v = visitor();
    const forged = await v.request('/api/oflink/connections', {
      headers: { cookie: `${USER_COOKIE}=user_BBBBBBBBBBBBBBBB` },
    });
    expect(await forged.json()).toEqual({ connections: [] });
  });
});

describe('DELETE /api/oflink/connections/:id', () => {
  it("disconnects the user's connection at OFAuth and in the list; another user's is refused", async () => {
    const [v, w] = [visitor(), visitor()];
    await v.arrive();
    await w.arrive();
    const conn = sim.addConnection({ clientReferenceId: v.user });
    expect((await v.json('/api/oflink/confirm', { connectionId: conn.id })).status).toBe(200);
    const del = (who: typeof v) =>
      who.request(`/api/oflink/connections/${conn.id}`, { method: 'DELETE', headers: { origin: demo.url } });
    const refused = await del(w);
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'connection_not_owned',
    ]);
    const done = await del(v);
    expect([done.status, await done.json()]).toEqual([200, { disconnected: conn.id }]);
    expect(sim.connections().some((c) => c.id === conn.id)).toBe(false);
    expect(await (await v.request('/api/oflink/connections')).json()).toEqual({ connections: [] });
  });
});

describe('on a PostgreSQL server (DATABASE_URL)', () => {
  it('records, lists and follows webhooks with the connections in PostgreSQL', async () => {
    const pg = await startPostgres();
    const other = await startDemoServer({
      port: 0,
      simulator: sim,
      clientDir: inject('clientDir'),
      database: pg.url,
    });
    try {
      const jar = { cookie: '' };
      const req = async (path: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        if (jar.cookie) headers.set('cookie', jar.cookie);
        headers.set('origin', other.url);
        const res = await fetch(`${other.url}${path}`, { ...init, headers });
        const m = /oflink_demo_user=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
        if (m) jar.cookie = `${USER_COOKIE}=${m[1]}`;
        return res;
      };
      await (await req('/')).text();
      const userId = jar.cookie.slice(USER_COOKIE.length + 1);
      const conn = sim.addConnection({ clientReferenceId: userId });
      const confirm = await req('/api/oflink/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: conn.id }),
      });
      expect(confirm.status).toBe(200);
      await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
        method: 'POST',
        headers: { apiKey: sim.apiKey },
      });
      await sim.webhooksIdle();
      const { connections } = (await (await req('/api/oflink/connections')).json()) as {
        connections: { id: string; status: string }[];
      };
      expect(connections.map((c) => [c.id, c.status])).toEqual([[conn.id, 'expired']]);
    } finally {
      await other.stop();
      // the first demo server receives the simulator's webhooks again
      sim.configure({ webhookUrl: `${demo.url}/api/webhooks/ofauth` });
      await pg.destroy();
    }
  });
});

describe('the built client', () => {
  it('is served with SPA fallback and correct content types', async () => {
    for (const path of ['/', '/callback?status=success&connection_id=conn_1', '/connections']) {
      const res = await fetch(`${demo.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<div id="root">');
      // only the app itself may frame its pages
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
    const html = await (await fetch(`${demo.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    const js = await fetch(`${demo.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const css = await fetch(`${demo.url}${style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${demo.url}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers 404 for a missing asset or API route, and never serves files outside the client dir', async () => {
    expect((await fetch(`${demo.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${demo.url}/api/nothing`)).status).toBe(404);
    const traversal = await fetch(`${demo.url}/%2e%2e/%2e%2e/package.json`);
    expect(await traversal.text()).not.toContain('"name"');
  });

  it('answers a request target that is no URL with an error, and keeps serving', async () => {
    const { port } = new URL(demo.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end('GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('invalid_request');
    expect((await fetch(`${demo.url}/api/demo`)).status).toBe(200);
  });

  it('reports which backend it uses', async () => {
    expect(await (await fetch(`${demo.url}/api/demo`)).json()).toEqual({ backend: 'simulator' });
  });
});
