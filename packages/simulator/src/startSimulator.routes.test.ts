// The simulator's other routes: the connections API, injected faults, the /__simulator/ admin
// endpoints, its latency setting and its lifecycle.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { simulatorFixture } from './simulatorTestKit';
import { startSimulator } from './startSimulator';

const fixture = simulatorFixture();
const { init } = fixture;

describe('connections API', () => {
  it('lists with status, limit and offset, and reports hasMore', async () => {
    for (let i = 0; i < 3; i++) fixture.sim.addConnection({ clientReferenceId: `u${i}` });
    fixture.sim.addConnection({ status: 'expired' });
    const get = async (q: string) =>
      (
        await fetch(`${fixture.sim.url}/v2/account/connections${q}`, {
          headers: { apiKey: fixture.sim.apiKey },
        })
      ).json();
    const page1 = (await get('?status=active&limit=2')) as {
      list: { clientReferenceId: string }[];
      hasMore: boolean;
    };
    expect(page1.list.map((c) => c.clientReferenceId)).toEqual(['u0', 'u1']);
    expect(page1.hasMore).toBe(true);
    const page2 = (await get('?status=active&limit=2&offset=2')) as { list: unknown[]; hasMore: boolean };
    expect(page2).toMatchObject({
      list: [expect.objectContaining({ clientReferenceId: 'u2', status: 'active', imported: false })],
      hasMore: false,
    });
    expect(((await get('?status=expired')) as { list: unknown[] }).list).toHaveLength(1);
  });

  it('answers 400 for a limit that is not a number and 401 without a key', async () => {
    expect(
      (
        await fetch(`${fixture.sim.url}/v2/account/connections?limit=abc`, {
          headers: { apiKey: fixture.sim.apiKey },
        })
      ).status,
    ).toBe(400);
    expect((await fetch(`${fixture.sim.url}/v2/account/connections`)).status).toBe(401);
  });

  it('deletes a connection and invalidates another', async () => {
    const a = fixture.sim.addConnection({});
    const b = fixture.sim.addConnection({});
    const del = await fetch(`${fixture.sim.url}/v2/account/connections/${a.id}`, {
      method: 'DELETE',
      headers: { apiKey: fixture.sim.apiKey },
    });
    expect(del.status).toBe(200);
    const inv = await fetch(`${fixture.sim.url}/v2/account/connections/${b.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: fixture.sim.apiKey },
    });
    expect(inv.status).toBe(200);
    expect(fixture.sim.connections()).toEqual([
      expect.objectContaining({ id: b.id, status: 'expired', expiredAt: expect.any(String) }),
    ]);
    const again = await fetch(`${fixture.sim.url}/v2/account/connections/${a.id}`, {
      method: 'DELETE',
      headers: { apiKey: fixture.sim.apiKey },
    });
    expect(again.status).toBe(404);
  });
});

describe('fault injection', () => {
  it('applies a queued status fault to the next `times` requests only', async () => {
    fixture.sim.injectFault({ type: 'status', status: 503, headers: { 'x-test': '1' }, times: 2 });
    const a = await init();
    const b = await init();
    const c = await init();
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.headers.get('x-test')).toBe('1');
  });

  it('answers 429 with Retry-After for a rate-limit fault', async () => {
    fixture.sim.injectFault({ type: 'rate-limit', retryAfter: 7 });
    const res = await init();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('answers 200 with a body that is not JSON for a malformed fault', async () => {
    fixture.sim.injectFault({ type: 'malformed' });
    const res = await init();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('destroys the socket for a reset fault', async () => {
    fixture.sim.injectFault({ type: 'reset' });
    await expect(init()).rejects.toThrow();
    expect((await init()).status).toBe(200);
  });

  it('delays the response for a latency fault and the latencyMs option', async () => {
    fixture.sim.injectFault({ type: 'latency', ms: 150 });
    let t = Date.now();
    await init();
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    fixture.sim.configure({ latencyMs: 120 });
    t = Date.now();
    await init();
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('sends headers at once and the body later for a slow-body fault', async () => {
    fixture.sim.injectFault({ type: 'slow-body', ms: 600 });
    const res = await init();
    // the headers are here; the body is not yet: it comes at least most of the delay later
    const t = Date.now();
    await res.json();
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
  });

  it('takes a one-off fault from the x-oflink-simulator-fault header', async () => {
    const res = await init(undefined, {
      'x-oflink-simulator-fault': JSON.stringify({ type: 'status', status: 502 }),
    });
    expect(res.status).toBe(502);
    expect((await init()).status).toBe(200);
  });

  it('does not apply faults to hosted pages', async () => {
    const { url } = (await (await init()).json()) as { url: string };
    fixture.sim.injectFault({ type: 'status', status: 500 });
    expect((await fetch(url)).status).toBe(200);
    expect((await init()).status).toBe(500);
  });
});

describe('/__simulator/ admin endpoints', () => {
  const adm = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${fixture.sim.url}/__simulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('injects and clears faults over HTTP, and refuses an invalid fault', async () => {
    expect((await adm('/faults', 'POST', { type: 'status', status: 418 })).status).toBe(200);
    expect((await init()).status).toBe(418);
    await adm('/faults', 'POST', { type: 'status', status: 418 });
    await adm('/faults', 'DELETE');
    expect((await init()).status).toBe(200);
    expect((await adm('/faults', 'POST', { type: 'nope' })).status).toBe(400);
  });

  it('lists sessions, expires one by id and resets', async () => {
    await init({ clientReferenceId: 'r1' });
    const sessions = (await (await adm('/sessions')).json()) as { id: string; state: string }[];
    expect(sessions).toEqual([expect.objectContaining({ clientReferenceId: 'r1', state: 'pre-login' })]);
    const id = sessions[0]?.id;
    expect(await (await adm('/expire', 'POST', { id })).json()).toEqual({ expired: 1 });
    expect(fixture.sim.sessions()[0]?.state).toBe('expired');
    await adm('/reset', 'POST');
    expect(await (await adm('/sessions')).json()).toEqual([]);
  });

  it('patches options and refuses unknown ones', async () => {
    expect((await adm('/options', 'PATCH', { initResponse: 'legacy' })).status).toBe(200);
    expect(((await (await init()).json()) as Record<string, unknown>).mode).toBeUndefined();
    expect((await adm('/options', 'PATCH', { port: 1 })).status).toBe(400);
  });

  it('refuses web pages of other origins, rebound host names and cross-site requests, and sends no CORS header', async () => {
    const raw = (headers: Record<string, string>, method = 'GET') =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = request(`${fixture.sim.url}/__simulator/sessions`, { method, headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const port = new URL(fixture.sim.url).port;
    expect((await raw({})).status).toBe(200);
    expect((await raw({ host: `localhost:${port}` })).status).toBe(200);
    const refusedHeaders: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { host: `rebind.attacker:${port}` },
      { host: '127.0.0.1:1' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refusedHeaders) {
      const refused = await raw(headers);
      expect([JSON.stringify(headers), refused.status]).toEqual([JSON.stringify(headers), 403]);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    }
    const preflight = await raw(
      { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' },
      'OPTIONS',
    );
    expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([403, undefined]);
    const own = await raw({ origin: fixture.sim.url, 'sec-fetch-site': 'same-origin' });
    expect([own.status, own.headers['access-control-allow-origin']]).toEqual([200, undefined]);
  });

  it('lists connections and webhook deliveries', async () => {
    fixture.sim.addConnection({ id: 'conn_seed' });
    expect(await (await adm('/connections')).json()).toEqual([expect.objectContaining({ id: 'conn_seed' })]);
    expect(await (await adm('/webhooks')).json()).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('stop() closes keep-alive sockets so the process can exit', async () => {
    const other = await startSimulator({ port: 0, quiet: true });
    const agentRes = await new Promise<number>((resolve, reject) => {
      const req = request(`${other.url}/`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(agentRes).toBe(200);
    // an idle keep-alive socket would hold stop() for the server's keep-alive timeout: it resolves at once
    await other.stop();
    await expect(fetch(`${other.url}/`)).rejects.toThrow();
  });

  it('refuses a webhook secret without the whsec_ prefix at start', async () => {
    await expect(startSimulator({ port: 0, quiet: true, webhookSecret: 'nope' })).rejects.toThrow(/whsec_/);
  });
});
