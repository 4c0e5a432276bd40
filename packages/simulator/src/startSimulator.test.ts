// The simulator's init call against OFAuth's contract, and its sessions.
import { existsSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { simulatorFixture } from './simulatorTestKit';

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

const fixture = simulatorFixture();
const { init } = fixture;

describe('POST /v2/link/init', () => {
  it('answers an empty body with a hosted session that matches the contract', async () => {
    const res = await init();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; url: string; expiresAt: string };
    expectContract(200, body);
    expect(body.mode).toBe('hosted');
    expect(body.url).toMatch(new RegExp(`^${fixture.sim.url}/cs_[A-Za-z0-9]+$`));
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
    const [s] = fixture.sim.sessions();
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
    fixture.sim.configure({ sessionPath: 's' });
    const body = (await (await init()).json()) as { url: string };
    fixture.sim.configure({ sessionPath: 'root' });
    expect(body.url).toMatch(/\/s\/cs_/);
    expect((await fetch(body.url)).status).toBe(200);
  });

  it('answers the legacy shape {url, expiresAt} without mode on request', async () => {
    fixture.sim.configure({ initResponse: 'legacy' });
    const body = (await (await init()).json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'url']);
  });

  it('answers the whitelabel shape on request, matching the contract', async () => {
    fixture.sim.configure({ initResponse: 'whitelabel' });
    const body = (await (await init()).json()) as Record<string, unknown>;
    expectContract(200, body);
    expect(body.mode).toBe('whitelabel');
    expect(body.clientSecret).toEqual(expect.any(String));
  });

  it.each([
    ['a missing apiKey header', undefined],
    ['an unknown apiKey', 'sk_sandbox_nope'],
  ])('answers 401 {error} for %s', async (_name, key) => {
    const res = await fetch(`${fixture.sim.url}/v2/link/init`, {
      method: 'POST',
      headers: key ? { apiKey: key } : {},
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('reads the header case-insensitively (apikey, as the guide writes it)', async () => {
    const res = await fetch(`${fixture.sim.url}/v2/link/init`, {
      method: 'POST',
      headers: { apikey: fixture.sim.apiKey },
    });
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
    fixture.sim.configure({ maxOpenSessions: 1 });
    expect((await init()).status).toBe(200);
    const res = await init();
    expect(res.status).toBe(403);
    const body = await res.json();
    expectContract(403, body);
    expect(body).toEqual({ error: 'limit reached' });
    expect(fixture.sim.expireSession()).toBe(1);
    expect((await init()).status).toBe(200);
  });

  it('answers an injected 500 with a body matching the contract', async () => {
    fixture.sim.injectFault({
      type: 'status',
      status: 500,
      body: { error: 'Failed to initialize Link session' },
    });
    const res = await init();
    expect(res.status).toBe(500);
    expectContract(500, await res.json());
  });
});

describe('sessions', () => {
  it('expire by themselves after sessionTtlSeconds: the page answers 410 and they stop counting towards the limit', async () => {
    fixture.sim.configure({ sessionTtlSeconds: 0.2, maxOpenSessions: 1 });
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
      fixture.sim.configure({ sessionTtlSeconds: 1800 });
    }
  });

  it('a form from an older step shows the step the session is at, without advancing it', async () => {
    const { url } = (await (await init()).json()) as { url: string };
    const post = (form: Record<string, string>) =>
      fetch(url, { method: 'POST', body: new URLSearchParams(form) });
    await post({ step: 'pre-login', action: 'continue' });
    const stale = await (await post({ step: 'pre-login', action: 'continue' })).text();
    expect(stale).toContain('data-step="login"');
    expect(fixture.sim.sessions()[0]?.state).toBe('login');
  });

  it('an unknown session URL answers 404 with the error step', async () => {
    const res = await fetch(`${fixture.sim.url}/cs_unknown123`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('data-outcome="invalid"');
  });
});
