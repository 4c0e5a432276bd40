// The `store` option of the handlers, with stores that fail, stall or count: every failure of the
// app's store is 503 store_unavailable within the deadline, a wrong store is a configuration error,
// and the webhook handler claims a message in the store before its handlers, runs them once, and
// tells data that can never be stored from an outage. The same rules on real databases and several
// servers: packages/connections/src/delivery.test.ts.
import { createHmac } from 'node:crypto';
import type { StoredConnection } from '@oflink/protocol';
import { describe, expect, it, vi } from 'vitest';
import { signedWebhook, WEBHOOK_SECRET } from '../test/support';
import { createConfirmHandler } from './confirm';
import {
  type ConnectionChange,
  type ConnectionStore,
  createConnectionsHandler,
  type MessageOutcome,
} from './connections';
import { createLinkHandler } from './session';
import { createWebhookHandler } from './webhook/handler';

const SECRET = WEBHOOK_SECRET;
const APP = 'http://app.test';
const user = () => 'user_7';

function stored(id: string, owner: string): StoredConnection {
  return {
    id,
    status: 'active',
    userData: null,
    permissions: [],
    clientReferenceId: owner,
    createdAt: null,
    updatedAt: new Date().toISOString(),
    lastEvent: null,
    live: null,
  };
}

/** A store whose every method fails like a database that went away. */
function downStore(): ConnectionStore {
  const fail = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  return { record: fail, claimMessage: fail, settleMessage: fail, list: fail, find: fail, remove: fail };
}

/** A store that never answers, like a database whose table is locked. */
function stalledStore(): ConnectionStore {
  const never = () => new Promise<never>(() => undefined);
  return {
    record: never,
    claimMessage: never,
    settleMessage: never,
    list: never,
    find: never,
    remove: never,
  };
}

/** A store in memory that keeps the message states and the changes it applied. */
function memoryStore(rows: StoredConnection[] = []) {
  const changes: ConnectionChange[] = [];
  const messages = new Map<string, 'claimed' | MessageOutcome>();
  const store: ConnectionStore = {
    record: async (_u, c) => stored(c.id, _u),
    claimMessage: async (id, change) => {
      const state = messages.get(id);
      if (state === 'claimed') return 'busy';
      if (state === 'handled' || state === 'rejected') return 'handled';
      messages.set(id, 'claimed');
      if (change) changes.push(change);
      return 'claimed';
    },
    settleMessage: async (id, outcome) => {
      if (outcome === 'failed') messages.delete(id);
      else messages.set(id, outcome);
    },
    list: async (u) => rows.filter((r) => r.clientReferenceId === u),
    find: async (id) => rows.find((r) => r.id === id) ?? null,
    remove: async () => undefined,
  };
  return Object.assign(store, { changes, messages });
}

const browser = (method: string, path: string, body?: unknown) =>
  new Request(`${APP}${path}`, {
    method,
    headers: { 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function codeOf(res: Response) {
  return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
}

function signedEvent(id: string, connection: Record<string, unknown> = { id: 'conn_h1' }, owner = 'user_7') {
  const payload = JSON.stringify({
    eventType: 'connection.expired',
    live: false,
    data: {
      connection: { platformUserId: '9', status: 'expired', ...connection },
      clientReferenceId: owner,
    },
  });
  const at = new Date();
  return () => signedWebhook(payload, { id, at });
}

describe('a store that is down', () => {
  it('is 503 store_unavailable from the connections endpoint, and reported to onError', async () => {
    const onError = vi.fn();
    const handler = createConnectionsHandler({
      apiKey: 'sk_test',
      store: downStore(),
      getClientReferenceId: user,
      onError,
    });
    expect(await codeOf(await handler(browser('GET', '/api/oflink/connections')))).toEqual([
      503,
      'store_unavailable',
    ]);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/conn_1')))).toEqual([
      503,
      'store_unavailable',
    ]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'store_unavailable' }));
    expect(String(onError.mock.calls[0]?.[0].cause)).toContain('ECONNREFUSED');
  });

  it('is 503 store_unavailable for a reconnect when the owner cannot be looked up', async () => {
    const handler = createLinkHandler({
      apiKey: 'sk_test',
      redirectUrl: 'http://127.0.0.1/callback',
      store: downStore(),
      getClientReferenceId: user,
      onError: () => undefined,
    });
    const res = await handler(browser('POST', '/api/oflink/session', { connectionId: 'conn_h1' }));
    expect(await codeOf(res)).toEqual([503, 'store_unavailable']);
  });

  it('is 503 store_unavailable for a webhook, and no handler runs (the sender retries)', async () => {
    const own = vi.fn();
    const handler = createWebhookHandler({
      secret: SECRET,
      store: downStore(),
      on: { 'connection.expired': own },
      onError: () => undefined,
    });
    expect(await codeOf(await handler(signedEvent('msg_down')()))).toEqual([503, 'store_unavailable']);
    expect(own).not.toHaveBeenCalled();
  });
});

describe('a store that stalls', () => {
  it('is 503 store_unavailable once the deadline passed, from the browser endpoints and the webhook handler', async () => {
    const options = { apiKey: 'sk_test', store: stalledStore(), getClientReferenceId: user, timeoutMs: 300 };
    const connections = createConnectionsHandler({ ...options, onError: () => undefined });
    expect(await codeOf(await connections(browser('GET', '/api/oflink/connections')))).toEqual([
      503,
      'store_unavailable',
    ]);
    const confirm = createConfirmHandler({ ...options, onError: () => undefined });
    expect(
      await codeOf(await confirm(browser('POST', '/api/oflink/confirm', { connectionId: 'conn_1' }))),
    ).toEqual([503, 'store_unavailable']);
    const webhooks = createWebhookHandler({
      secret: SECRET,
      store: stalledStore(),
      timeoutMs: 300,
      onError: () => undefined,
    });
    expect(await codeOf(await webhooks(signedEvent('msg_stalled')()))).toEqual([503, 'store_unavailable']);
  });
});

describe('the webhook handler with a store', () => {
  it('claims the message and applies its change before the handlers, and runs them once for concurrent duplicates', async () => {
    const store = memoryStore();
    const order: string[] = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      // a store slow enough that the second delivery arrives while the first is claimed
      store: {
        ...store,
        claimMessage: async (id, c) => {
          order.push('store');
          await new Promise((resolve) => setTimeout(resolve, 100));
          return store.claimMessage(id, c);
        },
      },
      on: { 'connection.expired': () => void order.push('handler') },
    });
    const request = signedEvent('msg_once');
    const answers = await Promise.all([handler(request()), handler(request())]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(order).toEqual(['store', 'handler']);
    expect(store.changes).toEqual([
      expect.objectContaining({
        type: 'connection.expired',
        clientReferenceId: 'user_7',
        live: false,
        connection: expect.objectContaining({ id: 'conn_h1', status: 'expired' }),
      }),
    ]);
    expect(store.messages.get('msg_once')).toBe('handled');
  });

  it('answers a redelivery as a duplicate and runs no handler; a message busy elsewhere is 409 in_progress', async () => {
    const store = memoryStore();
    const own = vi.fn();
    const handler = createWebhookHandler({ secret: SECRET, store, on: { 'connection.expired': own } });
    expect(await (await handler(signedEvent('msg_twice')())).json()).toEqual({ received: true });
    expect(await (await handler(signedEvent('msg_twice')())).json()).toEqual({
      received: true,
      duplicate: true,
    });
    expect(own).toHaveBeenCalledTimes(1);
    store.messages.set('msg_elsewhere', 'claimed');
    const busy = await handler(signedEvent('msg_elsewhere')());
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([409, '5']);
    expect(own).toHaveBeenCalledTimes(1);
  });

  it("releases the claim when a handler fails, so the sender's retry runs the handlers again", async () => {
    const store = memoryStore();
    let fail = true;
    const own = vi.fn(() => {
      if (fail) throw new Error('the mail server is down');
    });
    const handler = createWebhookHandler({
      secret: SECRET,
      store,
      on: { 'connection.expired': own },
      onError: () => undefined,
    });
    expect((await handler(signedEvent('msg_retry')())).status).toBe(500);
    expect(store.messages.has('msg_retry')).toBe(false);
    fail = false;
    expect((await handler(signedEvent('msg_retry')())).status).toBe(200);
    expect(own).toHaveBeenCalledTimes(2);
    expect(store.messages.get('msg_retry')).toBe('handled');
  });

  it.each([
    ['a 10,000-character connection id', { id: `conn_${'a'.repeat(10_000)}` }, 'user_7'],
    ['a 5,000-character owner', { id: 'conn_ok' }, 'u'.repeat(5_000)],
    ['a NUL byte in the owner', { id: 'conn_ok' }, 'user\u00007'],
    ['a connection id that is not a conn_ id', { id: 'acct_1' }, 'user_7'],
  ])(
    'answers an event with %s 200, reports it as data and keeps it as rejected, never retried',
    async (_what, connection, owner) => {
      const store = memoryStore();
      const own = vi.fn();
      const onError = vi.fn();
      const handler = createWebhookHandler({
        secret: SECRET,
        store,
        on: { 'connection.expired': own },
        onError,
      });
      const res = await handler(signedEvent('msg_poison', connection, owner)());
      expect([res.status, await res.json()]).toEqual([200, { received: true, rejected: true }]);
      expect(onError).toHaveBeenCalledWith(
        expect.any(Error),
        expect.objectContaining({ stage: 'data', messageId: 'msg_poison' }),
      );
      expect(own).not.toHaveBeenCalled();
      expect(store.changes).toEqual([]);
      expect(store.messages.get('msg_poison')).toBe('rejected');
      // a redelivery is refused the same way, before the store: 200 again, still one rejected message
      expect(await (await handler(signedEvent('msg_poison', connection, owner)())).json()).toEqual({
        received: true,
        rejected: true,
      });
      expect([...store.messages.values()]).toEqual(['rejected']);
    },
  );

  it('applies an event whose only time is its signature as it came when no apiKey reaches OFAuth, and says why', async () => {
    vi.stubEnv('OFAUTH_API_KEY', undefined);
    const store = memoryStore();
    const onError = vi.fn();
    const handler = createWebhookHandler({ secret: SECRET, store, onError });
    const payload = JSON.stringify({
      eventType: 'connection.expired',
      live: false,
      data: {
        connection: { id: 'conn_untimed', platformUserId: '9', status: 'expired' },
        clientReferenceId: 'user_7',
      },
    });
    const t = Math.floor(Date.now() / 1000);
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const signature = createHmac('sha256', key).update(`${t}.${payload}`).digest('hex');
    const res = await handler(
      new Request('http://localhost/hooks', {
        method: 'POST',
        headers: { 'ofauth-signature': `t=${t},v1=${signature}` },
        body: payload,
      }),
    );
    expect(res.status).toBe(200);
    expect(store.changes).toEqual([expect.objectContaining({ timestamp: new Date(t * 1000).toISOString() })]);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/OFAUTH_API_KEY/) }),
      expect.objectContaining({ stage: 'reconcile' }),
    );
    vi.unstubAllEnvs();
  });

  it('tells a store that refuses the data (invalid_data) from a store that is down', async () => {
    const store = memoryStore();
    const onError = vi.fn();
    const refusing = {
      ...store,
      claimMessage: () =>
        Promise.reject(Object.assign(new Error('index row too large'), { code: 'invalid_data' })),
    };
    const handler = createWebhookHandler({ secret: SECRET, store: refusing, onError });
    expect(await (await handler(signedEvent('msg_refused')())).json()).toEqual({
      received: true,
      rejected: true,
    });
    expect(onError).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ stage: 'data' }));
    expect(store.messages.get('msg_refused')).toBe('rejected');
  });

  it('needs no handlers with a store, refuses seen and remember beside it, and refuses neither store nor handlers', () => {
    expect(() => createWebhookHandler({ secret: SECRET, store: memoryStore() })).not.toThrow();
    expect(() =>
      createWebhookHandler({ secret: SECRET, store: memoryStore(), seen: () => false }),
    ).toThrowError(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringMatching(/drop seen and remember/),
      }),
    );
    expect(() => createWebhookHandler({ secret: SECRET })).toThrowError(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });
});

describe('the connections endpoint', () => {
  it("lists only the signed-in user's connections, and refuses another's disconnect", async () => {
    const handler = createConnectionsHandler({
      apiKey: 'sk_test',
      store: memoryStore([stored('conn_mine', 'user_7'), stored('conn_theirs', 'user_8')]),
      getClientReferenceId: user,
    });
    const list = (await (await handler(browser('GET', '/api/oflink/connections'))).json()) as {
      connections: { id: string }[];
    };
    expect(list.connections.map((c) => c.id)).toEqual(['conn_mine']);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/conn_theirs')))).toEqual([
      403,
      'connection_not_owned',
    ]);
    expect(await codeOf(await handler(browser('DELETE', '/api/oflink/connections/%E0%A4%A')))).toEqual([
      400,
      'invalid_request',
    ]);
  });
});

describe('a wrong store', () => {
  it.each([
    [
      'createConnectionsHandler',
      () => createConnectionsHandler({ store: {} as never, getClientReferenceId: user }),
    ],
    [
      'createConnectionsHandler without a store',
      () => createConnectionsHandler({ getClientReferenceId: user } as never),
    ],
    [
      'createConfirmHandler',
      () => createConfirmHandler({ store: { list: 1 } as never, getClientReferenceId: user }),
    ],
    ['createLinkHandler', () => createLinkHandler({ store: 'db' as never, getClientReferenceId: user })],
    ['createWebhookHandler', () => createWebhookHandler({ secret: SECRET, store: [] as never, on: {} })],
  ])('%s throws invalid_options at creation', (_name, create) => {
    expect(create).toThrowError(expect.objectContaining({ code: 'invalid_options' }));
  });
});
