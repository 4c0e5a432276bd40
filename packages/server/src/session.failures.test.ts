// createLinkHandler when the app's callbacks fail, what it never shows (the apiKey, session URLs),
// and the options it refuses when it is made.
import { describe, expect, it, vi } from 'vitest';
import {
  countingFetch,
  ENDPOINT,
  errorText,
  expectError,
  failOnUnhandledRejection,
  linkHandlerFixture,
  post,
} from '../test/support';
import { OflinkServerError } from './errors';
import { createLinkHandler, type LinkHandlerOptions } from './session';

const fixture = linkHandlerFixture();
const { handler } = fixture;
failOnUnhandledRejection();

describe('user callbacks that fail', () => {
  it.each([
    [
      'getClientReferenceId throws',
      {
        getClientReferenceId: () => {
          throw new Error('db down');
        },
      },
      {},
    ],
    [
      'getClientReferenceId rejects',
      { getClientReferenceId: () => Promise.reject(new Error('db down')) },
      {},
    ],
    ['getClientReferenceId returns a number', { getClientReferenceId: () => 42 as unknown as string }, {}],
    [
      'ownsConnection throws',
      {
        ownsConnection: () => {
          throw new Error('db down');
        },
      },
      { connectionId: 'conn_1' },
    ],
  ] as const)('%s → 500 internal_error, reported to onError', async (_name, options, body) => {
    const onError = vi.fn();
    const response = await handler({ ...(options as Partial<LinkHandlerOptions>), onError })(post(body));
    await expectError(response, 500, 'internal_error');
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0]?.[0] as OflinkServerError;
    expect(error).toBeInstanceOf(OflinkServerError);
    expect(error).toMatchObject({ name: 'OflinkServerError', code: 'internal_error', status: 500 });
  });

  it('an onError that throws or rejects does not change the answer', async () => {
    fixture.sim.injectFault({ type: 'status', status: 401 });
    const throwing = await handler({
      onError: () => {
        throw new Error('logger down');
      },
    })(post({}));
    await expectError(throwing, 500, 'server_misconfigured');
    fixture.sim.injectFault({ type: 'status', status: 401 });
    const rejecting = await handler({ onError: () => Promise.reject(new Error('logger down')) })(post({}));
    await expectError(rejecting, 500, 'server_misconfigured');
  });

  it('a browser that goes away aborts the upstream call and is not reported to onError', async () => {
    fixture.sim.injectFault({ type: 'latency', ms: 3000 });
    const onError = vi.fn();
    const counting = countingFetch();
    const controller = new AbortController();
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: controller.signal,
    });
    const pending = handler({ onError, fetch: counting.fetch })(request);
    setTimeout(() => controller.abort(), 100);
    const response = await pending;
    expect(response.status).toBe(502);
    expect(counting.calls).toHaveLength(1);
    expect(onError).not.toHaveBeenCalled();
  });

  it('onError is not called for client errors (4xx caused by the request)', async () => {
    const onError = vi.fn();
    const h = handler({ onError });
    await h(post('{bad'));
    await h(new Request(ENDPOINT));
    await h(post({}, { origin: 'https://evil.example' }));
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('secrets', () => {
  it('neither the apiKey nor a session URL appears in any error body or in what onError receives', async () => {
    const received: unknown[] = [];
    const bodies: string[] = [];
    const h = handler({ onError: (e) => void received.push(e) });
    const run = async (request: Request) => bodies.push(await (await h(request)).text());
    // A key the simulator refuses, echoed back in a custom upstream error body.
    fixture.sim.injectFault({
      type: 'status',
      status: 401,
      body: { error: `bad key ${fixture.sim.apiKey} for ${fixture.sim.url}/cs_abc` },
    });
    await run(post({}));
    fixture.sim.injectFault({
      type: 'status',
      status: 400,
      body: { error: `see ${fixture.sim.url}/cs_leak?key=${fixture.sim.apiKey}` },
    });
    await run(post({}));
    fixture.sim.injectFault({
      type: 'status',
      status: 403,
      body: { error: `forbidden for ${fixture.sim.apiKey}` },
    });
    await run(post({}));
    fixture.sim.configure({ initResponse: 'whitelabel' });
    await run(post({}));
    fixture.sim.configure({ initResponse: 'hosted' });
    fixture.sim.injectFault({ type: 'malformed' });
    await run(post({}));
    fixture.sim.injectFault({ type: 'reset', times: 2 });
    await run(post({}));
    const throwing = handler({
      onError: (e) => void received.push(e),
      getClientReferenceId: () => {
        throw new Error(`cannot read user with ${fixture.sim.apiKey} at ${fixture.sim.url}/cs_secret`);
      },
    });
    bodies.push(await (await throwing(post({}))).text());
    expect(received.length).toBeGreaterThanOrEqual(6);
    const everything = [...bodies, ...received.map((e) => errorText(e))].join('\n');
    expect(everything).not.toContain(fixture.sim.apiKey);
    expect(everything.match(/cs_[A-Za-z0-9]{4,}/g) ?? []).toEqual([]);
    expect(everything).not.toContain('_secret_');
    for (const s of fixture.sim.sessions()) expect(everything).not.toContain(s.url);
  });

  it('upstream error details reach onError (redacted) but never the response body', async () => {
    const onError = vi.fn();
    fixture.sim.injectFault({
      type: 'status',
      status: 400,
      body: { error: 'Invalid request: redirectUrl is not allowed' },
    });
    const body = await expectError(await handler({ onError })(post({})), 502, 'upstream_rejected');
    expect(body.error.message).not.toMatch(/redirectUrl/);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/redirectUrl is not allowed/) }),
    );
  });
});

describe('configuration', () => {
  const base = () => ({
    apiKey: fixture.sim.apiKey,
    baseUrl: fixture.sim.url,
    getClientReferenceId: () => 'u',
  });

  it('is created without an apiKey (as while `next build` loads routes); requests then answer 500 server_misconfigured and the log names OFAUTH_API_KEY once', async () => {
    vi.stubEnv('OFAUTH_API_KEY', undefined as unknown as string);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const h = createLinkHandler({ baseUrl: fixture.sim.url, getClientReferenceId: () => 'u' });
      for (let i = 0; i < 3; i++) await expectError(await h(post({})), 500, 'server_misconfigured');
      const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('OFAUTH_API_KEY'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\[oflink\] createLinkHandler \(POST \/api\/oflink\/session\): server_misconfigured/,
      );
      expect(fixture.sim.sessions()).toHaveLength(0);
      // the variable set later (the server started with it) is read by the next request
      vi.stubEnv('OFAUTH_API_KEY', fixture.sim.apiKey);
      expect((await h(post({}))).status).toBe(200);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('still throws at creation for an apiKey that is present but malformed', () => {
    expect(() => createLinkHandler({ ...base(), apiKey: 'sk_live bad' })).toThrow(/OFAUTH_API_KEY/);
    expect(() => createLinkHandler({ ...base(), apiKey: 42 as unknown as string })).toThrow(/apiKey/);
  });

  it('reads OFAUTH_BASE_URL, OFAUTH_CLIENT_APP_ID and OFAUTH_REDIRECT_URL when the options leave them out', async () => {
    vi.stubEnv('OFAUTH_API_KEY', fixture.sim.apiKey);
    vi.stubEnv('OFAUTH_BASE_URL', fixture.sim.url);
    vi.stubEnv('OFAUTH_CLIENT_APP_ID', 'app_demo');
    vi.stubEnv('OFAUTH_REDIRECT_URL', 'http://localhost:3000/oflink/callback');
    try {
      const h = createLinkHandler({ getClientReferenceId: () => 'u' });
      expect((await h(post({}))).status).toBe(200);
      expect(fixture.sim.sessions()[0]).toMatchObject({
        redirectUrl: 'http://localhost:3000/oflink/callback',
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads the apiKey from OFAUTH_API_KEY by default', async () => {
    vi.stubEnv('OFAUTH_API_KEY', fixture.sim.apiKey);
    try {
      const h = createLinkHandler({ baseUrl: fixture.sim.url, getClientReferenceId: () => 'u' });
      expect((await h(post({}))).status).toBe(200);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws at creation without getClientReferenceId', () => {
    expect(() => createLinkHandler({ apiKey: 'k' } as LinkHandlerOptions)).toThrow(/getClientReferenceId/);
  });

  it.each([
    ['a baseUrl that is not a URL', { baseUrl: 'api.ofauth.com' }, /baseUrl/],
    ['a baseUrl with a query', { baseUrl: 'https://api.ofauth.com/?x=1' }, /baseUrl/],
    ['a zero timeoutMs', { timeoutMs: 0 }, /timeoutMs/],
    ['an infinite timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs/],
    ['negative retries', { retries: -1 }, /retries/],
    ['fractional retries', { retries: 1.5 }, /retries/],
    ['a clientAppId without app_', { clientAppId: 'demo' }, /clientAppId/],
    ['a relative redirectUrl', { redirectUrl: '/callback' }, /redirectUrl/],
    ['an allowedOrigins entry with a path', { allowedOrigins: ['https://a.example/x'] }, /allowedOrigins/],
    ['a wildcard origin', { allowedOrigins: ['https://*.example.com'] }, /allowedOrigins/],
    ['allowedOrigins as a string', { allowedOrigins: 'https://a.example' }, /allowedOrigins/],
    ['a non-function ownsConnection', { ownsConnection: true }, /ownsConnection/],
    ['a non-function onError', { onError: 'log' }, /onError/],
    ['an apiKey with a newline', { apiKey: 'sk_a\nb' }, /apiKey/],
    ['a fetch that is not a function', { fetch: 'https://proxy.example' }, /fetch must be a function/],
  ])('throws invalid_options at creation for %s', (_name, patch, message) => {
    let thrown: unknown;
    try {
      createLinkHandler({ ...base(), ...(patch as object) } as LinkHandlerOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OflinkServerError);
    expect(thrown).toMatchObject({ code: 'invalid_options' });
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain(fixture.sim.apiKey);
  });

  it('uses the injected fetch for every upstream call', async () => {
    const counting = countingFetch();
    const response = await handler({ fetch: counting.fetch })(post({}));
    expect(response.status).toBe(200);
    expect(counting.calls).toEqual(['POST /v2/link/init']);
  });
});
