import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LinkError } from './LinkError';
import { createSessionCache, isSessionFresh, requestSession, SESSION_SAFETY_MARGIN_MS } from './session';
import type { SessionRequestOptions } from './types';

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe('isSessionFresh', () => {
  const session = (expiresAt: string) => ({
    mode: 'hosted' as const,
    url: 'https://link.test/cs_1',
    expiresAt,
  });
  it('is fresh while more than the safety margin is left', () => {
    expect(isSessionFresh(session(inMinutes(30)))).toBe(true);
  });
  it('is stale inside the safety margin, even before expiresAt', () => {
    const now = Date.now();
    const expiresAt = new Date(now + SESSION_SAFETY_MARGIN_MS - 1000).toISOString();
    expect(isSessionFresh(session(expiresAt), now)).toBe(false);
  });
  it('is stale after expiry and when expiresAt is not a date', () => {
    expect(isSessionFresh(session(inMinutes(-1)))).toBe(false);
    expect(isSessionFresh(session('soon'))).toBe(false);
  });
});

/** The session `fetchSession` answers with `body`, as requestSession validates it. */
const parseSession = (body: unknown) =>
  requestSession({ fetchSession: async () => body as never }, new AbortController().signal);

describe('the session answer', () => {
  it('treats a missing mode as hosted (older API versions)', async () => {
    await expect(
      parseSession({ url: 'https://link.test/cs_1', expiresAt: '2030-01-01T00:00:00Z' }),
    ).resolves.toEqual({
      mode: 'hosted',
      url: 'https://link.test/cs_1',
      expiresAt: '2030-01-01T00:00:00Z',
    });
  });
  it('rejects whitelabel sessions with unsupported_mode', async () => {
    await expect(
      parseSession({ mode: 'whitelabel', clientSecret: 'x', expiresAt: inMinutes(30) }),
    ).rejects.toMatchObject({ code: 'unsupported_mode' });
  });
  it.each([
    null,
    {},
    { url: 'javascript:alert(1)', expiresAt: '2030-01-01T00:00:00Z' },
    { url: 'https://link.test/cs_1', expiresAt: 'never' },
    { url: 42, expiresAt: '2030-01-01T00:00:00Z' },
  ])('rejects the body %j', async (body) => {
    await expect(parseSession(body)).rejects.toMatchObject({ code: 'invalid_session_response' });
  });
});

describe('requestSession with fetchSession', () => {
  const hosted = { mode: 'hosted', url: 'https://link.test/cs_2', expiresAt: '2030-01-01T00:00:00Z' };
  const request = (fetchSession: unknown) =>
    requestSession({ fetchSession: fetchSession as never }, new AbortController().signal);

  it('calls it at once, so the request leaves in the click', () => {
    let called = false;
    void request(async () => {
      called = true;
      return hosted;
    });
    expect(called).toBe(true);
  });
  it('takes a plain value as well as a promise (a JavaScript app may return one)', async () => {
    await expect(request(() => hosted)).resolves.toEqual(hosted);
  });
  it('turns a throw, thrown at once or rejected, into a LinkError session_request_failed', async () => {
    const thrown = await request(() => {
      throw new Error('no user');
    }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(LinkError);
    expect(thrown).toMatchObject({ code: 'session_request_failed', message: 'no user' });
    await expect(request(async () => Promise.reject(new Error('later')))).rejects.toMatchObject({
      code: 'session_request_failed',
      message: 'later',
    });
  });
});

describe('requestSession against a local endpoint', () => {
  let server: Server;
  let base = '';
  let next: { status: number; body: string } = { status: 200, body: '{}' };
  const requests: { method?: string; type?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        requests.push({ method: req.method, type: req.headers['content-type'], body });
        res.writeHead(next.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests.length = 0;
  });
  const requestFrom = (endpoint: string, params: Omit<SessionRequestOptions, 'endpoint'> = {}) =>
    requestSession({ ...params, endpoint }, new AbortController().signal);

  it('POSTs the params as JSON and returns the session', async () => {
    const expiresAt = inMinutes(30);
    next = {
      status: 200,
      body: JSON.stringify({ mode: 'hosted', url: 'https://link.test/cs_9', expiresAt }),
    };
    const session = await requestFrom(`${base}/api/oflink/session`, {
      connectionId: 'conn_1',
      geolocation: { country: 'US' },
    });
    expect(session).toEqual({ mode: 'hosted', url: 'https://link.test/cs_9', expiresAt });
    expect(requests).toEqual([
      {
        method: 'POST',
        type: 'application/json',
        body: JSON.stringify({ connectionId: 'conn_1', geolocation: { country: 'US' } }),
      },
    ]);
  });

  it("turns a non-2xx answer into a LinkError with the server's code and status", async () => {
    next = {
      status: 401,
      body: JSON.stringify({ error: { code: 'unauthenticated', message: 'Sign in first.' } }),
    };
    const error = await requestFrom(`${base}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect(error).toMatchObject({
      name: 'LinkError',
      code: 'unauthenticated',
      message: 'Sign in first.',
      status: 401,
    });
  });

  it('reports a non-JSON error body with a generic code and the status', async () => {
    next = { status: 502, body: '<html>bad gateway</html>' };
    await expect(requestFrom(`${base}/x`)).rejects.toMatchObject({
      code: 'session_request_failed',
      status: 502,
    });
  });

  it('reports an unreachable endpoint as network_error', async () => {
    await expect(requestFrom('http://127.0.0.1:1/x')).rejects.toMatchObject({ code: 'network_error' });
  });

  it('caches one session per params, shares the request in flight, and refetches once it is stale', async () => {
    let expiresAt = inMinutes(30);
    next = {
      status: 200,
      body: JSON.stringify({ mode: 'hosted', url: 'https://link.test/cs_a', expiresAt }),
    };
    let options: { endpoint: string; connectionId?: string } = { endpoint: `${base}/s` };
    const cache = createSessionCache(() => options);
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([cache.get(signal), cache.get(signal)]);
    expect(a).toBe(b);
    expect(requests).toHaveLength(1);
    expect(cache.peek()).toBe(a);
    options = { endpoint: `${base}/s`, connectionId: 'conn_2' };
    expect(cache.peek()).toBeUndefined();
    await cache.get(signal);
    expect(requests).toHaveLength(2);
    cache.discard();
    expect(cache.peek()).toBeUndefined();
    expiresAt = new Date(Date.now() + 1000).toISOString();
    next = {
      status: 200,
      body: JSON.stringify({ mode: 'hosted', url: 'https://link.test/cs_b', expiresAt }),
    };
    await cache.get(signal);
    expect(cache.peek()).toBeUndefined();
    await cache.get(signal);
    expect(requests).toHaveLength(4);
  });
});
