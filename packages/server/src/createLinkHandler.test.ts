import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  countingFetch,
  crossSite,
  ENDPOINT,
  errorText,
  failOnUnhandledRejection,
  post,
} from '../test/support';
import { createLinkHandler, type LinkHandlerOptions } from './createLinkHandler';
import { OflinkServerError } from './OflinkServerError';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
  sim.configure({ initResponse: 'hosted', maxOpenSessions: undefined });
});
failOnUnhandledRejection();

function handler(extra: Partial<LinkHandlerOptions> = {}) {
  return createLinkHandler({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    getClientReferenceId: () => 'user_1',
    ...extra,
  });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

describe('a valid request', () => {
  it('answers 200 with the hosted session and Cache-Control: no-store', async () => {
    const response = await handler()(post({}));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { mode: string; url: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'mode', 'url']);
    expect(body.mode).toBe('hosted');
    const [record] = sim.sessions();
    expect(body.url).toBe(record?.url);
    expect(body.expiresAt).toBe(record?.expiresAt);
  });

  it('sends the server-side clientReferenceId, clientAppId, redirectUrl and the geolocation upstream', async () => {
    const response = await handler({
      clientAppId: 'app_demo',
      redirectUrl: 'http://localhost:3000/callback',
      getClientReferenceId: (request) => request.headers.get('x-user'),
    })(post({ geolocation: { country: 'US', state: 'CA', city: 'San Francisco' } }, { 'x-user': 'user_42' }));
    expect(response.status).toBe(200);
    const [record] = sim.sessions();
    expect(record).toMatchObject({
      appId: 'app_demo',
      clientReferenceId: 'user_42',
      redirectUrl: 'http://localhost:3000/callback',
      geolocation: { country: 'US', state: 'CA', city: 'San Francisco' },
      connectionId: null,
    });
  });

  it('treats a legacy upstream answer without mode as hosted', async () => {
    sim.configure({ initResponse: 'legacy' });
    const response = await handler()(post({}));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ mode: 'hosted', url: sim.sessions()[0]?.url, expiresAt: expect.any(String) });
  });

  it('accepts application/json with a utf-8 charset, and a request without Origin (server-to-server)', async () => {
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
      body: '{}',
    });
    expect((await handler()(request)).status).toBe(200);
  });

  it('accepts an Origin listed in allowedOrigins and answers its CORS preflight', async () => {
    const h = handler({ allowedOrigins: ['https://app.example.com'] });
    const preflight = await h(
      new Request(ENDPOINT, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    const response = await h(post({}, { origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });
});

describe('the request contract', () => {
  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'])(
    '%s → 405 method_not_allowed with Allow: POST',
    async (method) => {
      const response = await handler()(
        new Request(ENDPOINT, { method, headers: { origin: 'http://localhost' } }),
      );
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      if (method !== 'HEAD') await expectError(response, 405, 'method_not_allowed');
    },
  );

  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['json with another charset', 'application/json; charset=latin1'],
    ['json suffix type', 'application/merge-patch+json'],
  ])('%s → 415 unsupported_media_type', async (_name, contentType) => {
    const headers: Record<string, string> = { origin: 'http://localhost' };
    if (contentType) headers['content-type'] = contentType;
    const request = new Request(ENDPOINT, { method: 'POST', headers, body: '{}' });
    await expectError(await handler()(request), 415, 'unsupported_media_type');
  });

  it('a body over 4 KB → 413 body_too_large, counted on the wire when Content-Length is absent', async () => {
    const big = JSON.stringify({ geolocation: { country: 'US', city: 'x'.repeat(5000) } });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    await expectError(await handler()(request), 413, 'body_too_large');
    expect(sim.sessions()).toHaveLength(0);
  });

  it('a body over 4 KB whose Content-Length claims less → 413 body_too_large', async () => {
    const request = post(
      { geolocation: { country: 'US', city: 'é'.repeat(2100) } },
      { 'content-length': '10' },
    );
    await expectError(await handler()(request), 413, 'body_too_large');
  });

  it('a declared Content-Length over 4 KB → 413 without reading the body', async () => {
    await expectError(await handler()(post({}, { 'content-length': '5000' })), 413, 'body_too_large');
  });

  it('exactly 4096 bytes is accepted as far as size goes', async () => {
    const base = JSON.stringify({ geolocation: { country: 'US', city: '' } });
    const body = JSON.stringify({ geolocation: { country: 'US', city: 'x'.repeat(4096 - base.length) } });
    expect(new TextEncoder().encode(body).byteLength).toBe(4096);
    // The city is longer than 128 characters, so the shape check answers, not the size check.
    await expectError(await handler()(post(body)), 400, 'invalid_request');
  });

  it.each([
    ['bad JSON', '{"connectionId":'],
    ['empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"hello"'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['an unknown key', { connectionId: 'conn_1', extra: true }],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}'],
    ['a constructor key', { constructor: { prototype: {} } }],
    ['a client-sent clientReferenceId', { clientReferenceId: 'someone_else' }],
    ['a client-sent redirectUrl', { redirectUrl: 'https://evil.example/cb' }],
    ['a client-sent clientAppId', { clientAppId: 'app_other' }],
    ['a connectionId without the conn_ prefix', { connectionId: 'abc' }],
    ['a connectionId with a slash', { connectionId: 'conn_../../x' }],
    ['a connectionId too long', { connectionId: `conn_${'a'.repeat(121)}` }],
    ['a numeric connectionId', { connectionId: 42 }],
    ['a null connectionId', { connectionId: null }],
    ['geolocation without country', { geolocation: { state: 'CA' } }],
    ['geolocation with a numeric country', { geolocation: { country: 1 } }],
    ['geolocation with an empty country', { geolocation: { country: '' } }],
    ['geolocation as a string', { geolocation: 'US' }],
    ['geolocation with an unknown key', { geolocation: { country: 'US', zip: '94105' } }],
    ['geolocation with a control character', { geolocation: { country: 'U\u0000S' } }],
  ])('%s → 400 invalid_request', async (_name, body) => {
    const request =
      body instanceof Uint8Array
        ? new Request(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        : post(typeof body === 'string' ? body : body);
    await expectError(await handler()(request), 400, 'invalid_request');
    expect(sim.sessions()).toHaveLength(0);
  });

  // what a browser sends from another site (with Fetch Metadata, and as an older browser without it)
  it.each([
    ['another origin', crossSite('https://evil.example')],
    ['a sibling port', crossSite('http://localhost:8080')],
    ['the opaque origin "null"', crossSite('null')],
    ['another origin, no Fetch Metadata', { origin: 'https://evil.example', 'sec-fetch-site': '' }],
    ['a sibling port, no Fetch Metadata', { origin: 'http://localhost:8080', 'sec-fetch-site': '' }],
    ['the opaque origin "null", no Fetch Metadata', { origin: 'null', 'sec-fetch-site': '' }],
    ['Sec-Fetch-Site: same-site', { origin: 'https://sub.localhost', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site without Origin', { origin: '', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: cross-site with the own Origin', { 'sec-fetch-site': 'cross-site' }],
  ])('%s → 403 forbidden_origin', async (_name, headers) => {
    const request = post({}, headers);
    const h = new Headers(request.headers);
    for (const [name, value] of Object.entries(headers)) if (value === '') h.delete(name);
    const bare = new Request(ENDPOINT, { method: 'POST', headers: h, body: '{}' });
    await expectError(await handler()(bare), 403, 'forbidden_origin');
    expect(sim.sessions()).toHaveLength(0);
  });

  it('an origin outside allowedOrigins gets no CORS headers and no preflight', async () => {
    const h = handler({ allowedOrigins: ['https://app.example.com'] });
    const preflight = await h(
      new Request(ENDPOINT, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }),
    );
    expect(preflight.status).toBe(405);
    const response = await h(post({}, crossSite('https://evil.example')));
    await expectError(response, 403, 'forbidden_origin');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
  ])('getClientReferenceId returning %s → 401 unauthenticated', async (_name, value) => {
    await expectError(await handler({ getClientReferenceId: () => value })(post({})), 401, 'unauthenticated');
    expect(sim.sessions()).toHaveLength(0);
  });

  it('a reconnect of a connection the user does not own → 403 connection_not_owned', async () => {
    const owns = vi.fn(async () => false);
    const response = await handler({ ownsConnection: owns })(post({ connectionId: 'conn_theirs' }));
    await expectError(response, 403, 'connection_not_owned');
    expect(owns).toHaveBeenCalledWith('user_1', 'conn_theirs');
    expect(sim.sessions()).toHaveLength(0);
  });

  it('only a returned true counts as owned', async () => {
    const truthy = (() => 'yes') as unknown as () => boolean;
    await expectError(
      await handler({ ownsConnection: truthy })(post({ connectionId: 'conn_1' })),
      403,
      'connection_not_owned',
    );
  });

  it('a reconnect of an owned connection creates a session for that connection', async () => {
    const response = await handler({ ownsConnection: () => true })(post({ connectionId: 'conn_mine' }));
    expect(response.status).toBe(200);
    expect(sim.sessions()[0]?.connectionId).toBe('conn_mine');
  });

  it('a reconnect without ownsConnection configured → 403 reconnect_not_allowed', async () => {
    await expectError(await handler()(post({ connectionId: 'conn_1' })), 403, 'reconnect_not_allowed');
    expect(sim.sessions()).toHaveLength(0);
  });

  it('checks the origin before calling getClientReferenceId, and the body before it too', async () => {
    const getRef = vi.fn(() => 'user_1');
    const h = handler({ getClientReferenceId: getRef });
    await h(post({}, crossSite('https://evil.example')));
    await h(post('{bad'));
    expect(getRef).not.toHaveBeenCalled();
  });
});

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
    sim.injectFault({ type: 'status', status: 401 });
    const throwing = await handler({
      onError: () => {
        throw new Error('logger down');
      },
    })(post({}));
    await expectError(throwing, 500, 'server_misconfigured');
    sim.injectFault({ type: 'status', status: 401 });
    const rejecting = await handler({ onError: () => Promise.reject(new Error('logger down')) })(post({}));
    await expectError(rejecting, 500, 'server_misconfigured');
  });

  it('a browser that goes away aborts the upstream call and is not reported to onError', async () => {
    sim.injectFault({ type: 'latency', ms: 3000 });
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
    sim.injectFault({
      type: 'status',
      status: 401,
      body: { error: `bad key ${sim.apiKey} for ${sim.url}/cs_abc` },
    });
    await run(post({}));
    sim.injectFault({
      type: 'status',
      status: 400,
      body: { error: `see ${sim.url}/cs_leak?key=${sim.apiKey}` },
    });
    await run(post({}));
    sim.injectFault({ type: 'status', status: 403, body: { error: `forbidden for ${sim.apiKey}` } });
    await run(post({}));
    sim.configure({ initResponse: 'whitelabel' });
    await run(post({}));
    sim.configure({ initResponse: 'hosted' });
    sim.injectFault({ type: 'malformed' });
    await run(post({}));
    sim.injectFault({ type: 'reset', times: 2 });
    await run(post({}));
    const throwing = handler({
      onError: (e) => void received.push(e),
      getClientReferenceId: () => {
        throw new Error(`cannot read user with ${sim.apiKey} at ${sim.url}/cs_secret`);
      },
    });
    bodies.push(await (await throwing(post({}))).text());
    expect(received.length).toBeGreaterThanOrEqual(6);
    const everything = [...bodies, ...received.map((e) => errorText(e))].join('\n');
    expect(everything).not.toContain(sim.apiKey);
    expect(everything.match(/cs_[A-Za-z0-9]{4,}/g) ?? []).toEqual([]);
    expect(everything).not.toContain('_secret_');
    for (const s of sim.sessions()) expect(everything).not.toContain(s.url);
  });

  it('upstream error details reach onError (redacted) but never the response body', async () => {
    const onError = vi.fn();
    sim.injectFault({
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
  const base = () => ({ apiKey: sim.apiKey, baseUrl: sim.url, getClientReferenceId: () => 'u' });

  it('is created without an apiKey (as while `next build` loads routes); requests then answer 500 server_misconfigured and the log names OFAUTH_API_KEY once', async () => {
    vi.stubEnv('OFAUTH_API_KEY', undefined as unknown as string);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const h = createLinkHandler({ baseUrl: sim.url, getClientReferenceId: () => 'u' });
      for (let i = 0; i < 3; i++) await expectError(await h(post({})), 500, 'server_misconfigured');
      const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('OFAUTH_API_KEY'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\[oflink\] createLinkHandler \(POST \/api\/oflink\/session\): server_misconfigured/,
      );
      expect(sim.sessions()).toHaveLength(0);
      // the variable set later (the server started with it) is read by the next request
      vi.stubEnv('OFAUTH_API_KEY', sim.apiKey);
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
    vi.stubEnv('OFAUTH_API_KEY', sim.apiKey);
    vi.stubEnv('OFAUTH_BASE_URL', sim.url);
    vi.stubEnv('OFAUTH_CLIENT_APP_ID', 'app_demo');
    vi.stubEnv('OFAUTH_REDIRECT_URL', 'http://localhost:3000/oflink/callback');
    try {
      const h = createLinkHandler({ getClientReferenceId: () => 'u' });
      expect((await h(post({}))).status).toBe(200);
      expect(sim.sessions()[0]).toMatchObject({ redirectUrl: 'http://localhost:3000/oflink/callback' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads the apiKey from OFAUTH_API_KEY by default', async () => {
    vi.stubEnv('OFAUTH_API_KEY', sim.apiKey);
    try {
      const h = createLinkHandler({ baseUrl: sim.url, getClientReferenceId: () => 'u' });
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
    expect((thrown as Error).message).not.toContain(sim.apiKey);
  });

  it('uses the injected fetch for every upstream call', async () => {
    const counting = countingFetch();
    const response = await handler({ fetch: counting.fetch })(post({}));
    expect(response.status).toBe(200);
    expect(counting.calls).toEqual(['POST /v2/link/init']);
  });
});
