import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeFigures } from '../../../scripts/figures';
import { type Simulator, startSimulator } from './startSimulator';

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: { 'application/json': { schema: object } } }> }>
  >;
}
// OFAuth's contract for the init call, vendored beside the package (contract/) so the suite runs from a
// bare clone; where the project's shared facts sit beside the checkout, the copy must be identical to them.
const contractText = readFileSync(new URL('../contract/link-init.openapi.yaml', import.meta.url), 'utf8');
const sharedContract = new URL('../../../../shared/ofauth/link-init.openapi.yaml', import.meta.url);
const doc = parse(contractText) as OpenApiDoc;

describe('the vendored contract', () => {
  if (existsSync(sharedContract))
    it('is identical to shared/ofauth/link-init.openapi.yaml', () => {
      expect(contractText).toBe(readFileSync(sharedContract, 'utf8'));
    });
  it('documents /v2/link/init with its 200 and error responses', () => {
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '500']));
  });
});
const responses = doc.paths['/v2/link/init']?.post?.responses ?? {};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** Assert a /v2/link/init response against the contract for its status. */
function expectContract(status: number, body: unknown) {
  const schema = responses[String(status)]?.content['application/json'].schema;
  expect(schema, `the contract documents status ${status}`).toBeDefined();
  const validate = ajv.compile(schema as object);
  const ok = validate(body);
  expect(ok, JSON.stringify(validate.errors)).toBe(true);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    quiet: true,
    apps: [
      { id: 'app_demo' },
      {
        id: 'app_strict',
        redirectUris: ['https://app.example/callback'],
        allowedOrigins: ['https://app.example'],
        defaultRedirectUri: 'https://app.example/callback',
      },
    ],
  });
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.reset();
  sim.configure({ initResponse: 'hosted', maxOpenSessions: undefined, latencyMs: 0 });
});

const init = (body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /v2/link/init', () => {
  it('answers an empty body with a hosted session that matches the contract', async () => {
    const res = await init();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; url: string; expiresAt: string };
    expectContract(200, body);
    expect(body.mode).toBe('hosted');
    expect(body.url).toMatch(new RegExp(`^${sim.url}/cs_[A-Za-z0-9]+$`));
    const ttl = Date.parse(body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
  });

  it('keeps clientReferenceId, connectionId, geolocation and the app default redirect with the session', async () => {
    const res = await init({
      clientAppId: 'app_strict',
      clientReferenceId: 'user_1',
      connectionId: 'conn_x',
      geolocation: { country: 'US', state: 'CA' },
    });
    expect(res.status).toBe(200);
    const [s] = sim.sessions();
    expect(s).toMatchObject({
      appId: 'app_strict',
      clientReferenceId: 'user_1',
      connectionId: 'conn_x',
      geolocation: { country: 'US', state: 'CA' },
      redirectUrl: 'https://app.example/callback',
      state: 'pre-login',
    });
  });

  it('accepts the deprecated mode, options and origin fields', async () => {
    const res = await init({
      mode: 'redirect',
      options: { returnRawSession: false },
      origin: 'http://localhost:3000',
      redirectUrl: 'http://localhost:3000/cb',
    });
    expect(res.status).toBe(200);
    expectContract(200, await res.json());
  });

  it('serves /s/cs_ URLs with sessionPath s', async () => {
    sim.configure({ sessionPath: 's' });
    const body = (await (await init()).json()) as { url: string };
    sim.configure({ sessionPath: 'root' });
    expect(body.url).toMatch(/\/s\/cs_/);
    expect((await fetch(body.url)).status).toBe(200);
  });

  it('answers the legacy shape {url, expiresAt} without mode on request', async () => {
    sim.configure({ initResponse: 'legacy' });
    const body = (await (await init()).json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'url']);
  });

  it('answers the whitelabel shape on request, matching the contract', async () => {
    sim.configure({ initResponse: 'whitelabel' });
    const body = (await (await init()).json()) as Record<string, unknown>;
    expectContract(200, body);
    expect(body.mode).toBe('whitelabel');
    expect(body.clientSecret).toEqual(expect.any(String));
  });

  it.each([
    ['a missing apiKey header', undefined],
    ['an unknown apiKey', 'sk_sandbox_nope'],
  ])('answers 401 {error} for %s', async (_name, key) => {
    const res = await fetch(`${sim.url}/v2/link/init`, {
      method: 'POST',
      headers: key ? { apiKey: key } : {},
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('reads the header case-insensitively (apikey, as the guide writes it)', async () => {
    const res = await fetch(`${sim.url}/v2/link/init`, { method: 'POST', headers: { apikey: sim.apiKey } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a body that is not JSON', '{not json'],
    ['a clientAppId of the wrong type', { clientAppId: 42 }],
    ['a clientAppId not matching ^app_[a-zA-Z0-9]+$', { clientAppId: 'app-demo' }],
    ['geolocation without country', { geolocation: { state: 'CA' } }],
    ['a redirectUrl that is not a URI', { redirectUrl: 'not a url' }],
    ['a redirectUrl not allowed for the app', { redirectUrl: 'https://evil.example/cb' }],
    [
      'a redirectUrl not registered on a strict app',
      { clientAppId: 'app_strict', redirectUrl: 'http://localhost:3000/cb' },
    ],
    ['a deprecated mode outside its enum', { mode: 'popup' }],
    ['clientReferenceId of the wrong type', { clientReferenceId: 7 }],
  ])('answers 400 {error} matching the contract for %s', async (_name, body) => {
    const res = await init(body);
    expect(res.status).toBe(400);
    expectContract(400, await res.json());
  });

  it('answers 404 matching the contract for an unknown client app', async () => {
    const res = await init({ clientAppId: 'app_unknown' });
    expect(res.status).toBe(404);
    expectContract(404, await res.json());
  });

  it('answers 403 "limit reached" matching the contract beyond maxOpenSessions; expired sessions do not count', async () => {
    sim.configure({ maxOpenSessions: 1 });
    expect((await init()).status).toBe(200);
    const res = await init();
    expect(res.status).toBe(403);
    const body = await res.json();
    expectContract(403, body);
    expect(body).toEqual({ error: 'limit reached' });
    expect(sim.expireSession()).toBe(1);
    expect((await init()).status).toBe(200);
  });

  it('answers an injected 500 with a body matching the contract', async () => {
    sim.injectFault({ type: 'status', status: 500, body: { error: 'Failed to initialize Link session' } });
    const res = await init();
    expect(res.status).toBe(500);
    expectContract(500, await res.json());
  });
});

describe('sessions', () => {
  it('expire by themselves after sessionTtlSeconds: the page answers 410 and they stop counting towards the limit', async () => {
    sim.configure({ sessionTtlSeconds: 0.2, maxOpenSessions: 1 });
    try {
      const { url } = (await (await init()).json()) as { url: string };
      expect((await fetch(url)).status).toBe(200);
      expect((await init()).status).toBe(403);
      await new Promise((r) => setTimeout(r, 250));
      const page = await fetch(url);
      expect(page.status).toBe(410);
      expect(await page.text()).toContain('data-step="error"');
      expect((await init()).status).toBe(200);
    } finally {
      sim.configure({ sessionTtlSeconds: 1800 });
    }
  });

  it('a form from an older step shows the step the session is at, without advancing it', async () => {
    const { url } = (await (await init()).json()) as { url: string };
    const post = (form: Record<string, string>) =>
      fetch(url, { method: 'POST', body: new URLSearchParams(form) });
    await post({ step: 'pre-login', action: 'continue' });
    const stale = await (await post({ step: 'pre-login', action: 'continue' })).text();
    expect(stale).toContain('data-step="login"');
    expect(sim.sessions()[0]?.state).toBe('login');
  });

  it('an unknown session URL answers 404 with the error step', async () => {
    const res = await fetch(`${sim.url}/cs_unknown123`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('data-outcome="invalid"');
  });
});

describe('connections API', () => {
  it('lists with status, limit and offset, and reports hasMore', async () => {
    for (let i = 0; i < 3; i++) sim.addConnection({ clientReferenceId: `u${i}` });
    sim.addConnection({ status: 'expired' });
    const get = async (q: string) =>
      (await fetch(`${sim.url}/v2/account/connections${q}`, { headers: { apiKey: sim.apiKey } })).json();
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
      (await fetch(`${sim.url}/v2/account/connections?limit=abc`, { headers: { apiKey: sim.apiKey } }))
        .status,
    ).toBe(400);
    expect((await fetch(`${sim.url}/v2/account/connections`)).status).toBe(401);
  });

  it('deletes a connection and invalidates another', async () => {
    const a = sim.addConnection({});
    const b = sim.addConnection({});
    const del = await fetch(`${sim.url}/v2/account/connections/${a.id}`, {
      method: 'DELETE',
      headers: { apiKey: sim.apiKey },
    });
    expect(del.status).toBe(200);
    const inv = await fetch(`${sim.url}/v2/account/connections/${b.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    expect(inv.status).toBe(200);
    expect(sim.connections()).toEqual([
      expect.objectContaining({ id: b.id, status: 'expired', expiredAt: expect.any(String) }),
    ]);
    const again = await fetch(`${sim.url}/v2/account/connections/${a.id}`, {
      method: 'DELETE',
      headers: { apiKey: sim.apiKey },
    });
    expect(again.status).toBe(404);
  });
});

describe('fault injection', () => {
  it('applies a queued status fault to the next `times` requests only', async () => {
    sim.injectFault({ type: 'status', status: 503, headers: { 'x-test': '1' }, times: 2 });
    const a = await init();
    const b = await init();
    const c = await init();
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.headers.get('x-test')).toBe('1');
  });

  it('answers 429 with Retry-After for a rate-limit fault', async () => {
    sim.injectFault({ type: 'rate-limit', retryAfter: 7 });
    const res = await init();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('answers 200 with a body that is not JSON for a malformed fault', async () => {
    sim.injectFault({ type: 'malformed' });
    const res = await init();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('destroys the socket for a reset fault', async () => {
    sim.injectFault({ type: 'reset' });
    await expect(init()).rejects.toThrow();
    expect((await init()).status).toBe(200);
  });

  it('delays the response for a latency fault and the latencyMs option', async () => {
    sim.injectFault({ type: 'latency', ms: 150 });
    let t = Date.now();
    await init();
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sim.configure({ latencyMs: 120 });
    t = Date.now();
    await init();
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('sends headers at once and the body later for a slow-body fault', async () => {
    sim.injectFault({ type: 'slow-body', ms: 200 });
    const t = Date.now();
    const res = await init();
    const headersAfter = Date.now() - t;
    await res.json();
    expect(headersAfter).toBeLessThan(150);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
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
    sim.injectFault({ type: 'status', status: 500 });
    expect((await fetch(url)).status).toBe(200);
    expect((await init()).status).toBe(500);
  });
});

describe('/__simulator/ admin endpoints', () => {
  const adm = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${sim.url}/__simulator${path}`, {
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
    expect(sim.sessions()[0]?.state).toBe('expired');
    await adm('/reset', 'POST');
    expect(await (await adm('/sessions')).json()).toEqual([]);
  });

  it('patches options and refuses unknown ones', async () => {
    expect((await adm('/options', 'PATCH', { initResponse: 'legacy' })).status).toBe(200);
    expect(((await (await init()).json()) as Record<string, unknown>).mode).toBeUndefined();
    expect((await adm('/options', 'PATCH', { port: 1 })).status).toBe(400);
  });

  it('lists connections and webhook deliveries', async () => {
    sim.addConnection({ id: 'conn_seed' });
    expect(await (await adm('/connections')).json()).toEqual([expect.objectContaining({ id: 'conn_seed' })]);
    expect(await (await adm('/webhooks')).json()).toEqual([]);
  });
});

describe('speed', () => {
  it('answers /v2/link/init in under 20 ms at the 95th percentile over 200 sequential requests', async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      const res = await init({ clientReferenceId: `u${i}` });
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)] ?? Number.POSITIVE_INFINITY;
    writeFigures('simulator', [
      {
        area: 'simulator',
        measure: 'POST /v2/link/init p95 (ms)',
        value: Math.round(p95 * 10) / 10,
        goal: '< 20',
      },
    ]);
    expect(p95).toBeLessThan(20);
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
    const t = Date.now();
    await other.stop();
    expect(Date.now() - t).toBeLessThan(1000);
    await expect(fetch(`${other.url}/`)).rejects.toThrow();
  });

  it('refuses a webhook secret without the whsec_ prefix at start', async () => {
    await expect(startSimulator({ port: 0, quiet: true, webhookSecret: 'nope' })).rejects.toThrow(/whsec_/);
  });
});
