// The one mount: every route of the package behind one handler under a base path, built from one
// options object, each route answering as its own handler does.
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedWebhook, WEBHOOK_SECRET, webhookBody } from '../test/support';
import { createOflinkHandler } from './mount';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(() => sim.stop());

const memoryStore = () => {
  const handled = new Set<string>();
  return {
    record: async (user: string, c: { id: string }) => ({ id: c.id, clientReferenceId: user }) as never,
    claimMessage: async (id: string) => {
      if (handled.has(id)) return 'handled' as const;
      handled.add(id);
      return 'claimed' as const;
    },
    settleMessage: async () => undefined,
    list: async () => [],
    find: async () => null,
    remove: async () => undefined,
  };
};

const browser = (method: string, path: string, body?: unknown) =>
  new Request(`http://app.test${path}`, {
    method,
    headers: { 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

const codeOf = async (res: Response) => [
  res.status,
  ((await res.json()) as { error?: { code: string } }).error?.code,
];

describe('createOflinkHandler', () => {
  const options = () => ({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    getClientReferenceId: () => 'user_1',
    webhook: { secret: WEBHOOK_SECRET },
    onError: () => undefined,
  });

  it('answers every route under /api/oflink from one handler', async () => {
    const oflink = createOflinkHandler({ ...options(), store: memoryStore() });
    const session = await oflink(browser('POST', '/api/oflink/session', {}));
    expect([session.status, ((await session.json()) as { mode: string }).mode]).toEqual([200, 'hosted']);
    const conn = sim.addConnection({ clientReferenceId: 'user_1' });
    const confirm = await oflink(browser('POST', '/api/oflink/confirm', { connectionId: conn.id }));
    expect(confirm.status).toBe(200);
    const list = await oflink(browser('GET', '/api/oflink/connections'));
    expect([list.status, await list.json()]).toEqual([200, { connections: [] }]);
    expect(await codeOf(await oflink(browser('DELETE', '/api/oflink/connections/conn_nobody')))).toEqual([
      404,
      'connection_not_found',
    ]);
    const hook = signedWebhook(webhookBody(), { id: 'msg_mount' });
    const webhook = await oflink(new Request('http://app.test/api/oflink/webhook', hook));
    expect([webhook.status, await webhook.json()]).toEqual([200, { received: true }]);
  });

  it("keeps each route's own refusals", async () => {
    const oflink = createOflinkHandler({ ...options(), store: memoryStore() });
    expect(await codeOf(await oflink(browser('GET', '/api/oflink/session')))).toEqual([
      405,
      'method_not_allowed',
    ]);
    expect(await codeOf(await oflink(browser('PUT', '/api/oflink/connections')))).toEqual([
      405,
      'method_not_allowed',
    ]);
    const plain = new Request('http://app.test/api/oflink/session', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'same-origin' },
      body: 'x',
    });
    expect(await codeOf(await oflink(plain))).toEqual([415, 'unsupported_media_type']);
  });

  it('answers 404 not_found off its routes, and for the routes a store or handlers would turn on', async () => {
    const oflink = createOflinkHandler(options());
    for (const path of [
      '/api/oflink',
      '/api/oflink/',
      '/api/oflink/nope',
      '/api/oflink/session/x',
      '/elsewhere/session',
      '/api/oflink/connections',
      '/api/oflink/webhook',
    ]) {
      const res = await oflink(browser('POST', path, {}));
      expect([path, ...(await codeOf(res))]).toEqual([path, 404, 'not_found']);
    }
    const message = (
      (await (await oflink(browser('GET', '/api/oflink/connections'))).json()) as {
        error: { message: string };
      }
    ).error.message;
    expect(message).toMatch(/needs a store/);
  });

  it('mounts under another base path, and refuses one that is not a path', async () => {
    const oflink = createOflinkHandler({ ...options(), basePath: '/auth/oflink' });
    expect((await oflink(browser('POST', '/auth/oflink/session', {}))).status).toBe(200);
    expect((await oflink(browser('POST', '/api/oflink/session', {}))).status).toBe(404);
    for (const basePath of ['api/oflink', '/api/oflink/', '', '/a b'])
      expect(() => createOflinkHandler({ ...options(), basePath })).toThrowError(
        expect.objectContaining({ code: 'invalid_options' }),
      );
  });
});
