import { afterAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { writeFigures } from '../../../../scripts/figures';
import { OTHER_WEBHOOK_SECRET, signedWebhook, WEBHOOK_SECRET, webhookBody } from '../../test/support';
import { createWebhookHandler } from './handler';
import type { WebhookErrorContext } from './options';

const SECRET = WEBHOOK_SECRET;
const OTHER_SECRET = OTHER_WEBHOOK_SECRET;
const body = webhookBody;

const signed = signedWebhook;

async function json(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

const tally = { correct: 0, total: 0 };
/** Count a request the handler must accept (2xx) or reject (4xx), for the figures table. */
function expectAnswer(res: Response, status: number) {
  tally.total++;
  expect(res.status).toBe(status);
  tally.correct++;
}

afterAll(() => {
  writeFigures('server-webhook-handler', [
    {
      area: 'webhooks',
      measure: 'createWebhookHandler requests answered correctly',
      value: `${tally.correct}/${tally.total}`,
      goal: 'all',
    },
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
