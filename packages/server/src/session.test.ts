// createLinkHandler in front of the simulator: a valid request, and the request contract (method,
// media type, size, origin, user, params) answered with the README's error table.
import { describe, expect, it, vi } from 'vitest';
import {
  crossSite,
  ENDPOINT,
  expectError,
  failOnUnhandledRejection,
  linkHandlerFixture,
  post,
} from '../test/support';

const fixture = linkHandlerFixture();
const { handler } = fixture;
failOnUnhandledRejection();

describe('a valid request', () => {
  it('answers 200 with the hosted session and Cache-Control: no-store', async () => {
    const response = await handler()(post({}));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { mode: string; url: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'mode', 'url']);
    expect(body.mode).toBe('hosted');
    const [record] = fixture.sim.sessions();
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
    const [record] = fixture.sim.sessions();
    expect(record).toMatchObject({
      appId: 'app_demo',
      clientReferenceId: 'user_42',
      redirectUrl: 'http://localhost:3000/callback',
      geolocation: { country: 'US', state: 'CA', city: 'San Francisco' },
      connectionId: null,
    });
  });

  it('treats a legacy upstream answer without mode as hosted', async () => {
    fixture.sim.configure({ initResponse: 'legacy' });
    const response = await handler()(post({}));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      mode: 'hosted',
      url: fixture.sim.sessions()[0]?.url,
      expiresAt: expect.any(String),
    });
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
    expect(fixture.sim.sessions()).toHaveLength(0);
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
    expect(fixture.sim.sessions()).toHaveLength(0);
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
    expect(fixture.sim.sessions()).toHaveLength(0);
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
    expect(fixture.sim.sessions()).toHaveLength(0);
  });

  it('a reconnect of a connection the user does not own → 403 connection_not_owned', async () => {
    const owns = vi.fn(async () => false);
    const response = await handler({ ownsConnection: owns })(post({ connectionId: 'conn_theirs' }));
    await expectError(response, 403, 'connection_not_owned');
    expect(owns).toHaveBeenCalledWith('user_1', 'conn_theirs');
    expect(fixture.sim.sessions()).toHaveLength(0);
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
    expect(fixture.sim.sessions()[0]?.connectionId).toBe('conn_mine');
  });

  it('a reconnect without ownsConnection configured → 403 reconnect_not_allowed', async () => {
    await expectError(await handler()(post({ connectionId: 'conn_1' })), 403, 'reconnect_not_allowed');
    expect(fixture.sim.sessions()).toHaveLength(0);
  });

  it('checks the origin before calling getClientReferenceId, and the body before it too', async () => {
    const getRef = vi.fn(() => 'user_1');
    const h = handler({ getClientReferenceId: getRef });
    await h(post({}, crossSite('https://evil.example')));
    await h(post('{bad'));
    expect(getRef).not.toHaveBeenCalled();
  });
});
