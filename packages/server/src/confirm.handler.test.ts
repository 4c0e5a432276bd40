import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { crossSite, failOnUnhandledRejection } from '../test/support';
import { createConfirmHandler } from './confirm';
import { createLinkHandler } from './session';

const URL_ = 'http://localhost/api/oflink/confirm';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => sim.reset());
failOnUnhandledRejection();

const confirm = (body: unknown, headers: Record<string, string> = {}) =>
  new Request(URL_, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: 'http://localhost',
      'sec-fetch-site': 'same-origin',
      'x-user': 'user_1',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function handler(extra: Partial<Parameters<typeof createConfirmHandler>[0]> = {}) {
  return createConfirmHandler({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    getClientReferenceId: (request) => request.headers.get('x-user'),
    ...extra,
  });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('createConfirmHandler', () => {
  it("confirms the user's active connection with OFAuth, stores it through onConfirmed, and answers { connection }", async () => {
    const made = sim.addConnection({ clientReferenceId: 'user_1' });
    const stored: unknown[] = [];
    const response = await handler({ onConfirmed: (c, user) => void stored.push([c.id, user]) })(
      confirm({ connectionId: made.id }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ connection: made });
    expect(stored).toEqual([[made.id, 'user_1']]);
  });

  it.each([
    ['another user', { clientReferenceId: 'user_2' }, 403, 'connection_not_owned'],
    [
      'an expired connection',
      { clientReferenceId: 'user_1', status: 'expired' as const },
      404,
      'connection_not_found',
    ],
  ])('refuses %s and stores nothing', async (_name, input, status, code) => {
    const made = sim.addConnection(input);
    const onConfirmed = vi.fn();
    await expectError(await handler({ onConfirmed })(confirm({ connectionId: made.id })), status, code);
    expect(onConfirmed).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown id', { connectionId: 'conn_nobody' }, 404, 'connection_not_found'],
    ['a malformed id', { connectionId: 'conn.a:1' }, 400, 'invalid_request'],
    ['a missing id', {}, 400, 'invalid_request'],
    ['extra members', { connectionId: 'conn_1', admin: true }, 400, 'invalid_request'],
    ['an array', [], 400, 'invalid_request'],
    ['text that is not JSON', '{oops', 400, 'invalid_request'],
  ])('answers %s with a typed 4xx', async (_name, body, status, code) => {
    await expectError(await handler()(confirm(body)), status, code);
  });

  it('refuses anonymous requests, other sites, other methods and other content types before calling OFAuth', async () => {
    const getUser = vi.fn(() => null);
    await expectError(
      await handler({ getClientReferenceId: getUser })(confirm({ connectionId: 'conn_1' })),
      401,
      'unauthenticated',
    );
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expectError(
      await handler()(confirm({ connectionId: 'conn_1' }, crossSite('https://evil.example'))),
      403,
      'forbidden_origin',
    );
    log.mockRestore();
    await expectError(await handler()(new Request(URL_, { method: 'GET' })), 405, 'method_not_allowed');
    await expectError(
      await handler()(confirm('{}', { 'content-type': 'text/plain' })),
      415,
      'unsupported_media_type',
    );
  });

  it('answers 500 internal_error when onConfirmed throws: the browser never reports an unstored connection as confirmed', async () => {
    const made = sim.addConnection({ clientReferenceId: 'user_1' });
    const onError = vi.fn();
    const h = handler({ onConfirmed: () => Promise.reject(new Error('db down')), onError });
    await expectError(await h(confirm({ connectionId: made.id })), 500, 'internal_error');
    expect(onError.mock.calls[0]?.[0]).toMatchObject({
      code: 'internal_error',
      message: 'onConfirmed threw.',
    });
  });

  it('is created without OFAUTH_API_KEY; requests answer 500 server_misconfigured until it is set', async () => {
    vi.stubEnv('OFAUTH_API_KEY', undefined as unknown as string);
    vi.stubEnv('OFAUTH_BASE_URL', sim.url);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const h = createConfirmHandler({ getClientReferenceId: (r) => r.headers.get('x-user') });
      await expectError(await h(confirm({ connectionId: 'conn_1' })), 500, 'server_misconfigured');
      expect(String(log.mock.calls[0]?.[0])).toMatch(/OFAUTH_API_KEY/);
      vi.stubEnv('OFAUTH_API_KEY', sim.apiKey);
      const made = sim.addConnection({ clientReferenceId: 'user_1' });
      expect((await h(confirm({ connectionId: made.id }))).status).toBe(200);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('throws invalid_options at creation for a wrong option', () => {
    expect(() => createConfirmHandler({} as never)).toThrow(/getClientReferenceId must be a function/);
    expect(() => handler({ onConfirmed: 'yes' as never })).toThrow(/onConfirmed must be a function/);
    expect(() => handler({ allowedOrigins: ['*'] })).toThrow(/exact origins/);
  });
});

describe('refusals say why in development, and only the public sentence in production', () => {
  const refused = (origin = 'https://shop.example') =>
    new Request('http://localhost/api/oflink/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...crossSite(origin) },
      body: '{}',
    });
  const make = () =>
    createLinkHandler({ apiKey: sim.apiKey, baseUrl: sim.url, getClientReferenceId: () => 'u' });

  it('development: the answer and the log name the endpoint, the origin seen and the option that would allow it', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const message = await expectError(await make()(refused()), 403, 'forbidden_origin');
      expect(message).toMatch(/POST \/api\/oflink\/session/);
      expect(message).toMatch(/https:\/\/shop\.example/);
      expect(message).toMatch(/allowedOrigins/);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/https:\/\/shop\.example.*allowedOrigins/);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('production: the answer is the public sentence; the log still names the origin', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const message = await expectError(
        await make()(refused('https://store.example')),
        403,
        'forbidden_origin',
      );
      expect(message).toBe('This endpoint only accepts requests from its own site.');
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/https:\/\/store\.example/);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
