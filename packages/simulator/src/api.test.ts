// The /v2 routes OFAuth's SDKs call beyond init (PROTOCOL.md §7), over real HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './startSimulator';
import type { Simulator } from './types';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    quiet: true,
    apiKeys: ['sk_sandbox_simulator', 'sk_live_simulator'],
  });
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.reset();
  sim.configure({ connectionOrder: 'oldest-first', initResponse: 'hosted' });
});

async function call(method: string, path: string, body?: unknown, apiKey = sim.apiKey) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('GET and DELETE /v2/link/{clientSecret}', () => {
  it('reports the login status at each step, and completed with the connection', async () => {
    const { body } = await call('POST', '/v2/link/init', {});
    const url = String(body.url);
    const id = new URL(url).pathname.slice(1);
    const status = async () => (await call('GET', `/v2/link/${id}`)).body.status;
    expect(await status()).toBe('initialized');
    await fetch(url, form({ step: 'pre-login', action: 'continue' }));
    expect(await status()).toBe('pending');
    await fetch(
      url,
      form({ step: 'login', action: 'submit', email: 'ana@creator-otp.sandbox.com', password: 'nope' }),
    );
    expect(await status()).toBe('invalid_credentials');
    await fetch(
      url,
      form({
        step: 'login',
        action: 'submit',
        email: 'ana@creator-otp.sandbox.com',
        password: 'good-password',
      }),
    );
    expect(await status()).toBe('awaiting_2fa');
    await fetch(url, form({ step: '2fa', action: 'submit', code: '123456' }));
    const done = await call('GET', `/v2/link/${id}`);
    expect(done.body).toMatchObject({ status: 'completed', connectionId: sim.connections()[0]?.id });
  });

  it('reports denied after a cancel and failed after a locked account', async () => {
    const a = String((await call('POST', '/v2/link/init', {})).body.url);
    await fetch(a, form({ step: 'pre-login', action: 'cancel' }));
    expect((await call('GET', `/v2/link/${new URL(a).pathname.slice(1)}`)).body.status).toBe('denied');
    const b = String((await call('POST', '/v2/link/init', {})).body.url);
    await fetch(b, form({ step: 'pre-login', action: 'continue' }));
    await fetch(
      b,
      form({ step: 'login', action: 'submit', email: 'ana@locked.sandbox.com', password: 'good-password' }),
    );
    expect((await call('GET', `/v2/link/${new URL(b).pathname.slice(1)}`)).body.status).toBe('failed');
  });

  it('finds a whitelabel session by its clientSecret; DELETE ends it and its page is then invalid', async () => {
    sim.configure({ initResponse: 'whitelabel' });
    const secret = String((await call('POST', '/v2/link/init', {})).body.clientSecret);
    expect((await call('GET', `/v2/link/${secret}`)).body.status).toBe('initialized');
    expect(await call('DELETE', `/v2/link/${secret}`)).toEqual({ status: 200, body: { success: true } });
    expect((await call('GET', `/v2/link/${secret}`)).body.status).toBe('denied');
    const page = await fetch(`${sim.url}/${secret.split('_secret_')[0]}`);
    expect(page.status).toBe(410);
  });

  it('answers 404 not_found for an unknown session and for a forged secret of a real one', async () => {
    expect(await call('GET', '/v2/link/cs_unknown')).toMatchObject({
      status: 404,
      body: { status: 'not_found' },
    });
    sim.configure({ initResponse: 'whitelabel' });
    const secret = String((await call('POST', '/v2/link/init', {})).body.clientSecret);
    const forged = `${secret.split('_secret_')[0]}_secret_guess`;
    expect(await call('GET', `/v2/link/${forged}`)).toMatchObject({ status: 404 });
    expect((await call('PUT', `/v2/link/${secret}`)).status).toBe(405);
  });
});

describe('GET /v2/account/whoami', () => {
  it('answers {id, name, permissions} for the key', async () => {
    const { status, body } = await call('GET', '/v2/account/whoami');
    expect(status).toBe(200);
    expect(body).toEqual({
      id: expect.stringMatching(/^acct_/),
      name: expect.any(String),
      permissions: expect.any(Array),
    });
    expect((await call('GET', '/v2/account/whoami', undefined, 'sk_live_simulator')).body.name).toBeNull();
    expect((await call('GET', '/v2/account/whoami', undefined, 'sk_wrong')).status).toBe(401);
  });
});

describe('GET /v2/account/connections', () => {
  const seed = () => {
    for (const [i, at] of ['2026-01-01', '2026-02-01', '2026-03-01'].entries())
      sim.addConnection({ id: `conn_${i}`, createdAt: `${at}T00:00:00.000Z` });
  };
  const ids = (body: Record<string, unknown>) => (body.list as { id: string }[]).map((c) => c.id);

  it('carries nextOffset while there is more, and none on the last page', async () => {
    seed();
    const first = await call('GET', '/v2/account/connections?limit=2');
    expect(first.body).toMatchObject({ hasMore: true, nextOffset: 2 });
    const last = await call('GET', '/v2/account/connections?limit=2&offset=2');
    expect(last.body.hasMore).toBe(false);
    expect(last.body).not.toHaveProperty('nextOffset');
  });

  it('lists oldest first by default and newest first with connectionOrder newest-first', async () => {
    seed();
    expect(ids((await call('GET', '/v2/account/connections')).body)).toEqual(['conn_0', 'conn_1', 'conn_2']);
    sim.configure({ connectionOrder: 'newest-first' });
    expect(ids((await call('GET', '/v2/account/connections')).body)).toEqual(['conn_2', 'conn_1', 'conn_0']);
  });
});

describe('options', () => {
  it.each([
    [{ port: -1 }, /port/],
    [{ webhookSecret: 'secret' }, /whsec_/],
    [{ connectionOrder: 'random' }, /connectionOrder/],
    [{ colour: 'blue' }, /colour|Unrecognized/i],
  ])('refuses %j at start with a TypeError naming it', async (options, message) => {
    await expect(startSimulator({ quiet: true, ...(options as object) })).rejects.toThrow(message);
  });
});
