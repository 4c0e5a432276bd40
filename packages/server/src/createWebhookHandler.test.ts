import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { signedWebhook, WEBHOOK_SECRET } from '../test/support';
import { createWebhookHandler, type WebhookErrorContext } from './createWebhookHandler';
import { toNodeHandler } from './toNodeHandler';
import type { WebhookEvent } from './webhookTypes';

const SECRET = WEBHOOK_SECRET;
const OTHER_SECRET = `whsec_${Buffer.from('somebody-elses-webhook-secret-00').toString('base64')}`;

const connection = { id: 'conn_h1', status: 'active', clientReferenceId: 'user_7' };
const body = (eventType = 'connection.created', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ eventType, live: false, data: { connection, clientReferenceId: 'user_7' }, ...extra });

const signed = signedWebhook;

async function json(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

const tally = { correct: 0, total: 0 };
const figures: { area: string; measure: string; value: string | number; goal: string }[] = [];
/** Count a request the handler must accept (2xx) or reject (4xx), for the figures table. */
function expectAnswer(res: Response, status: number) {
  tally.total++;
  expect(res.status).toBe(status);
  tally.correct++;
}

/** Count simulator deliveries answered as expected (asserted separately). */
function countDeliveries(statuses: (number | null)[], expected: number[]) {
  tally.total += expected.length;
  tally.correct += expected.filter((status, i) => statuses[i] === status).length;
}

afterAll(() => {
  writeFigures('server-webhook-handler', [
    {
      area: 'webhooks',
      measure: 'createWebhookHandler requests answered correctly (incl. simulator deliveries)',
      value: `${tally.correct}/${tally.total}`,
      goal: 'all',
    },
    ...figures,
  ]);
});

describe('createWebhookHandler over Fetch Requests', () => {
  it('runs the handler of the event type with a typed event, then the * handler, and answers 200', async () => {
    const calls: string[] = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      on: {
        'connection.created': (event) => {
          expectTypeOf(event.type).toEqualTypeOf<'connection.created'>();
          expectTypeOf(event.data.connection.id).toEqualTypeOf<string>();
          calls.push(`created:${event.data.connection.id}:${event.data.clientReferenceId}`);
        },
        'connection.expired': () => {
          calls.push('expired');
        },
        '*': (event) => {
          calls.push(`*:${event.type}:${event.id}`);
        },
      },
    });
    const res = await handler(signed(body()));
    expectAnswer(res, 200);
    expect(await json(res)).toEqual({ received: true });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(calls).toEqual(['created:conn_h1:user_7', '*:connection.created:msg_1']);
  });

  it('answers 200 for a verified event type without a handler (including unknown types)', async () => {
    const handler = createWebhookHandler({ secret: SECRET, on: {} });
    expectAnswer(await handler(signed(body('connection.updated'))), 200);
    expectAnswer(
      await handler(signed(JSON.stringify({ type: 'payout.sent', data: {} }), { id: 'msg_u' })),
      200,
    );
  });

  it('answers 405 with Allow: POST for other methods', async () => {
    const handler = createWebhookHandler({ secret: SECRET, on: {} });
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await handler(new Request('http://localhost/hooks', { method }));
      expectAnswer(res, 405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await json(res)).toMatchObject({ error: { code: 'method_not_allowed' } });
    }
  });

  it('answers 413 for a body over 1 MB, declared or streamed, without running a handler', async () => {
    const run = vi.fn();
    const handler = createWebhookHandler({ secret: SECRET, on: { '*': run } });
    const big = 'x'.repeat(1024 * 1024 + 1);
    const streamed = await handler(new Request('http://localhost/hooks', { method: 'POST', body: big }));
    expectAnswer(streamed, 413);
    expect(await json(streamed)).toMatchObject({ error: { code: 'body_too_large' } });
    const declared = await handler(
      new Request('http://localhost/hooks', {
        method: 'POST',
        headers: { 'content-length': String(5 * 1024 * 1024) },
        body: '{}',
      }),
    );
    expectAnswer(declared, 413);
    const small = createWebhookHandler({ secret: SECRET, on: {}, maxBodyBytes: 64 });
    expectAnswer(await small(signed(body())), 413);
    expect(run).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a tampered body',
      () => new Request(signed(body()), { body: body().replace('user_7', 'user_8') }),
      'invalid_signature',
    ],
    ['a wrong secret', () => signed(body(), { secret: OTHER_SECRET }), 'invalid_signature'],
    [
      'a timestamp 301 s old',
      () => signed(body(), { at: new Date(Date.now() - 301_000) }),
      'timestamp_too_old',
    ],
    [
      'a timestamp 301 s ahead',
      () => signed(body(), { at: new Date(Date.now() + 301_000) }),
      'timestamp_in_future',
    ],
    [
      'no signature headers',
      () => new Request('http://localhost/hooks', { method: 'POST', body: body() }),
      'missing_headers',
    ],
  ])('answers 401 with a JSON error for %s and runs nothing', async (_label, make, code) => {
    const run = vi.fn();
    const onError = vi.fn();
    const handler = createWebhookHandler({ secret: SECRET, on: { '*': run }, onError });
    const res = await handler(make());
    expectAnswer(res, 401);
    expect(await json(res)).toEqual({ error: { code, message: expect.any(String) } });
    expect(run).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code }), { stage: 'verify' });
  });

  it('answers 500 and tells onError to mount it before body parsers when the body was already read', async () => {
    const onError = vi.fn();
    const handler = createWebhookHandler({ secret: SECRET, on: {}, onError });
    const request = signed(body());
    await request.text();
    const res = await handler(request);
    expectAnswer(res, 500);
    expect(await json(res)).toMatchObject({ error: { code: 'internal_error' } });
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/before body parsers/);
  });

  it('keeps answering when onError throws or rejects', async () => {
    const rejections: unknown[] = [];
    const onUnhandled = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const throwing = createWebhookHandler({
        secret: SECRET,
        on: {},
        onError: () => {
          throw new Error('logger down');
        },
      });
      expectAnswer(await throwing(signed(body(), { secret: OTHER_SECRET })), 401);
      const rejecting = createWebhookHandler({
        secret: SECRET,
        on: {},
        onError: async () => {
          throw new Error('async logger down');
        },
      });
      expectAnswer(await rejecting(signed(body(), { secret: OTHER_SECRET })), 401);
      await new Promise((r) => setTimeout(r, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('answers 400 invalid_payload for a correctly signed body that is not an event', async () => {
    const handler = createWebhookHandler({ secret: SECRET, on: {} });
    const res = await handler(signed('not json'));
    expectAnswer(res, 400);
    expect(await json(res)).toMatchObject({ error: { code: 'invalid_payload' } });
  });

  it('answers 500 when a handler throws, does not remember the id, and runs it again on the retry', async () => {
    const processed = new Set<string>();
    const errors: [unknown, WebhookErrorContext][] = [];
    let attempts = 0;
    const handler = createWebhookHandler({
      secret: SECRET,
      on: {
        'connection.created': () => {
          attempts++;
          if (attempts === 1) throw new Error('database is down');
        },
      },
      seen: (id) => processed.has(id),
      remember: (id) => {
        processed.add(id);
      },
      onError: (error, context) => errors.push([error, context]),
    });
    const first = await handler(signed(body(), { id: 'msg_retry' }));
    expectAnswer(first, 500);
    expect(await json(first)).toMatchObject({ error: { code: 'handler_failed' } });
    expect(processed.has('msg_retry')).toBe(false);
    expect(errors).toEqual([
      [
        new Error('database is down'),
        { stage: 'handler', messageId: 'msg_retry', type: 'connection.created' },
      ],
    ]);
    expectAnswer(await handler(signed(body(), { id: 'msg_retry' })), 200);
    expect(processed.has('msg_retry')).toBe(true);
    expectAnswer(await handler(signed(body(), { id: 'msg_retry' })), 200);
    expect(attempts).toBe(2);
  });

  it('answers 200 without running anything when seen() says the id was processed', async () => {
    const run = vi.fn();
    const handler = createWebhookHandler({
      secret: SECRET,
      on: { 'connection.created': run },
      seen: async (id) => id === 'msg_done',
    });
    const res = await handler(signed(body(), { id: 'msg_done' }));
    expectAnswer(res, 200);
    expect(await json(res)).toEqual({ received: true, duplicate: true });
    expect(run).not.toHaveBeenCalled();
  });

  it('answers 500 when seen() throws, so the sender retries later', async () => {
    const run = vi.fn();
    const onError = vi.fn();
    const handler = createWebhookHandler({
      secret: SECRET,
      on: { '*': run },
      seen: () => Promise.reject(new Error('redis unreachable')),
      onError,
    });
    expectAnswer(await handler(signed(body())), 500);
    expect(run).not.toHaveBeenCalled();
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ stage: 'seen' });
  });

  it('runs a handler once for two concurrent deliveries of one message id', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const run = vi.fn(() => gate);
    const handler = createWebhookHandler({ secret: SECRET, on: { 'connection.created': run } });
    const a = handler(signed(body(), { id: 'msg_twice' }));
    const b = handler(signed(body(), { id: 'msg_twice' }));
    await vi.waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expectAnswer(ra, 200);
    expectAnswer(rb, 200);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('still answers 200 when remember() throws after the handlers succeeded, and reports it', async () => {
    const onError = vi.fn();
    const handler = createWebhookHandler({
      secret: SECRET,
      on: {},
      remember: () => {
        throw new Error('write failed');
      },
      onError,
    });
    expectAnswer(await handler(signed(body())), 200);
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ stage: 'remember', messageId: 'msg_1' });
  });
});

describe('createWebhookHandler configuration', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is created without a secret (as while `next build` loads routes); requests then answer 500 server_misconfigured, run no handler, and the log names OFAUTH_WEBHOOK_SECRET', async () => {
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET', undefined);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const created = vi.fn();
      const handler = createWebhookHandler({ on: { 'connection.created': created } });
      const response = await handler(signed(body()));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'server_misconfigured' } });
      expect(created).not.toHaveBeenCalled();
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/OFAUTH_WEBHOOK_SECRET/);
      vi.stubEnv('OFAUTH_WEBHOOK_SECRET', SECRET);
      expect((await handler(signed(body()))).status).toBe(200);
      expect(created).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });

  it('reads the secret from OFAUTH_WEBHOOK_SECRET by default', async () => {
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET', SECRET);
    const handler = createWebhookHandler({ on: {} });
    expect((await handler(signed(body()))).status).toBe(200);
  });

  it('throws invalid_options at creation for a malformed secret, without echoing it', () => {
    const error = (() => {
      try {
        createWebhookHandler({ secret: 'whsec_not*base64!', on: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ name: 'OflinkServerError', code: 'invalid_options' });
    expect(String(error)).toMatch(/whsec_/);
    expect(String(error)).not.toContain('not*base64');
  });

  it('throws at creation for an unknown event type in `on` (a typo) and for a handler that is not a function', () => {
    expect(() =>
      createWebhookHandler({ secret: SECRET, on: { 'connection.create': () => undefined } as never }),
    ).toThrow(/unknown event type "connection.create"/);
    expect(() => createWebhookHandler({ secret: SECRET, on: { '*': 'log' } as never })).toThrow(/function/);
    expect(() => createWebhookHandler({ secret: SECRET, on: {}, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => createWebhookHandler({ secret: SECRET, on: {}, toleranceSeconds: -1 })).toThrow(
      /toleranceSeconds/,
    );
  });
});

// ---------------------------------------------------------------- end to end with the simulator

describe('createWebhookHandler receiving the simulator over HTTP', () => {
  let app: Server;
  let sim: Simulator;
  let endpoint = '';
  let current: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });

  beforeAll(async () => {
    // The package's own Node adapter streams the raw body to the Fetch handler.
    app = createServer(toNodeHandler((request) => current(request)));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/webhooks/ofauth`;
    sim = await startSimulator({
      port: 0,
      quiet: true,
      webhookUrl: endpoint,
      webhookSecret: SECRET,
      webhookRetryBaseMs: 20,
    });
  });
  afterAll(async () => {
    await sim.stop();
    app.closeAllConnections();
    await new Promise<void>((r) => app.close(() => r()));
  });
  afterEach(() => {
    sim.reset();
    sim.configure({ webhookScheme: 'standard', webhookEnvelope: 'sdk', webhookConnectionShape: 'sdk' });
  });

  /** Drive a Link session through the hosted page's forms, as a browser would. */
  async function connectThroughLink(clientReferenceId: string) {
    const res = await fetch(`${sim.url}/v2/link/init`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ clientReferenceId }),
    });
    const { url } = (await res.json()) as { url: string };
    const post = async (form: Record<string, string>) => {
      const r = await fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
      await r.arrayBuffer();
    };
    await post({ step: 'pre-login', action: 'continue' });
    await post({
      step: 'login',
      action: 'submit',
      email: 'ana@creator.sandbox.com',
      password: 'good-password',
    });
  }

  const matrix = (['standard', 'ofauth'] as const).flatMap((scheme) =>
    (['sdk', 'docs'] as const).flatMap((envelope) =>
      (['sdk', 'list'] as const).map((shape) => [scheme, envelope, shape] as const),
    ),
  );
  it.each(matrix)(
    'verifies connection.created sent with the %s scheme, the %s envelope and the %s connection shape, into one normalized connection',
    async (scheme, envelope, shape) => {
      sim.configure({ webhookScheme: scheme, webhookEnvelope: envelope, webhookConnectionShape: shape });
      const events: WebhookEvent[] = [];
      current = createWebhookHandler({
        secret: SECRET,
        on: {
          'connection.created': (event) => {
            events.push(event);
          },
        },
      });
      await connectThroughLink('user_e2e');
      await sim.webhooksIdle();
      const deliveries = sim.webhookDeliveries();
      expect(deliveries.map((d) => [d.eventType, d.status])).toEqual([['connection.created', 200]]);
      countDeliveries(
        deliveries.map((d) => d.status),
        [200],
      );
      expect(events).toHaveLength(1);
      const event = events[0] as WebhookEvent;
      const made = sim.connections()[0];
      if (!made) throw new Error('no connection');
      expect(event).toMatchObject({
        type: 'connection.created',
        scheme,
        data: { clientReferenceId: 'user_e2e' },
      });
      // whichever shape was sent, the app reads the same fields
      expect(event.data).toMatchObject({
        connection: { id: made.id, status: 'active', userData: made.userData, permissions: made.permissions },
      });
      if (shape === 'sdk')
        expect(event.data).toMatchObject({ connection: { platformUserId: made.userData.id } });
      else expect(event.data).toEqual({ clientReferenceId: 'user_e2e', connection: made });
      if (scheme === 'standard') expect(event.id).toBe(deliveries[0]?.id);
      if (envelope === 'sdk') expect(event.live).toBe(false);
      else expect(event).not.toHaveProperty('live');
    },
  );

  it('reads connection.expired in the SDK shape (id, platformUserId, status only)', async () => {
    const events: WebhookEvent[] = [];
    current = createWebhookHandler({
      secret: SECRET,
      on: { 'connection.expired': (event) => void events.push(event) },
    });
    const conn = sim.addConnection({ clientReferenceId: 'user_e2e' });
    await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    await sim.webhooksIdle();
    expect(events.map((e) => e.data)).toEqual([
      {
        clientReferenceId: 'user_e2e',
        connection: { id: conn.id, platformUserId: conn.userData.id, status: 'expired' },
      },
    ]);
  });

  it('a handler failing once gets the simulator to retry, and the second delivery runs it', async () => {
    const processed = new Set<string>();
    let runs = 0;
    current = createWebhookHandler({
      secret: SECRET,
      on: {
        'connection.expired': () => {
          runs++;
          if (runs === 1) throw new Error('transient');
        },
      },
      seen: (id) => processed.has(id),
      remember: (id) => {
        processed.add(id);
      },
    });
    const conn = sim.addConnection({ clientReferenceId: 'user_retry' });
    const res = await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    const deliveries = sim.webhookDeliveries();
    expect(deliveries.map((d) => [d.eventType, d.attempt, d.status])).toEqual([
      ['connection.expired', 1, 500],
      ['connection.expired', 2, 200],
    ]);
    countDeliveries(
      deliveries.map((d) => d.status),
      [500, 200],
    );
    expect(runs).toBe(2);
    expect([...processed]).toEqual([deliveries[0]?.id]);
  });

  it.each(['standard', 'ofauth'] as const)(
    'a replayed %s delivery with seen() runs the handler once',
    async (scheme) => {
      sim.configure({ webhookScheme: scheme });
      const processed = new Set<string>();
      const run = vi.fn();
      current = createWebhookHandler({
        secret: SECRET,
        on: { 'connection.disconnected': run },
        seen: (id) => processed.has(id),
        remember: (id) => {
          processed.add(id);
        },
      });
      const conn = sim.addConnection({ clientReferenceId: 'user_replay' });
      await fetch(`${sim.url}/v2/account/connections/${conn.id}`, {
        method: 'DELETE',
        headers: { apiKey: sim.apiKey },
      });
      await sim.webhooksIdle();
      const [delivery] = sim.webhookDeliveries();
      expect(delivery?.status).toBe(200);
      countDeliveries([delivery?.status ?? null], [200]);
      // An attacker (or a sender retry) posts the very same signed message again.
      const replay = await fetch(endpoint, {
        method: 'POST',
        headers: delivery?.headers,
        body: delivery?.body,
      });
      expectAnswer(replay, 200);
      expect(await replay.json()).toEqual({ received: true, duplicate: true });
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.calls[0]?.[0]).toMatchObject({
        type: 'connection.disconnected',
        data: { connection: { id: conn.id }, clientReferenceId: 'user_replay' },
      });
    },
  );

  it('answers the simulator 401 when the endpoint holds another secret, and the simulator retries 5 times', async () => {
    const run = vi.fn();
    current = createWebhookHandler({ secret: OTHER_SECRET, on: { '*': run } });
    const conn = sim.addConnection({});
    await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    await sim.webhooksIdle();
    const statuses = sim.webhookDeliveries().map((d) => d.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    countDeliveries(statuses, [401, 401, 401, 401, 401]);
    expect(run).not.toHaveBeenCalled();
    figures.push({
      area: 'webhooks',
      measure: 'simulator deliveries with a wrong secret that ran a handler',
      value: run.mock.calls.length,
      goal: '0',
    });
  });
});
