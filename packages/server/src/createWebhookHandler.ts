import type { ConnectionStore } from '@oflink/protocol';
import { errorAnswer } from './answer';
import type { UpstreamOptions } from './upstreamOptions';
import type { WebhookSecret } from './verifyWebhook';
import { deliver, readVerified, received } from './webhookDelivery';
import { webhookSettings } from './webhookSettings';
import type { WebhookEvent, WebhookEventType } from './webhookTypes';

/**
 * One handler per event type (narrowed), plus `'*'` for every verified event. A handler that throws or
 * rejects makes the answer 500, so the sender retries.
 * @example
 * const on: WebhookHandlers = {
 *   'connection.created': (event) => saveConnection(event.data.clientReferenceId, event.data.connection),
 *   '*': (event) => console.log('webhook', event.type, event.id),
 * };
 */
export type WebhookHandlers = {
  [K in WebhookEventType]?: (event: Extract<WebhookEvent, { type: K }>) => unknown | Promise<unknown>;
} & {
  /** Runs for every verified event, after the type's own handler. */
  '*'?: (event: WebhookEvent) => unknown | Promise<unknown>;
};

/**
 * Where a failure reported to `onError` happened.
 * @example
 * const onError = (error: unknown, context: WebhookErrorContext) =>
 *   console.error(`webhook ${context.stage} failed for ${context.messageId ?? 'unverified message'}`, error);
 */
export interface WebhookErrorContext {
  /**
   * `verify`: a rejected message; `handler`: a handler threw; `seen` / `remember`: your
   * de-duplication threw; `store`: the connection store failed; `data`: a verified event whose data
   * can never be stored (answered 200, kept as rejected); `reconcile`: OFAuth could not be asked
   * for the state of an event that carries no time of its own (the event was applied as it came).
   */
  stage: 'verify' | 'handler' | 'seen' | 'remember' | 'store' | 'data' | 'reconcile';
  /** Message id, once the message is verified. */
  messageId?: string;
  /** Event type, once the message is verified (`unknown` events give the type as sent). */
  type?: string;
}

/**
 * Options of {@link createWebhookHandler}.
 * @example
 * const options: CreateWebhookHandlerOptions = { secret: process.env.OFAUTH_WEBHOOK_SECRET, on: {} };
 */
export interface CreateWebhookHandlerOptions extends UpstreamOptions {
  /**
   * `whsec_<base64>` signing secret, or several during a rotation (any one may match).
   * @defaultValue `process.env.OFAUTH_WEBHOOK_SECRET`, and `OFAUTH_WEBHOOK_SECRET_OLD` as well when set
   */
  secret?: WebhookSecret | undefined;
  /**
   * Deadline of each call to the store and to OFAuth, in ms (the sender waits 10 s per attempt).
   * The apiKey (`OFAUTH_API_KEY`), `baseUrl` and `fetch` are used only for an event whose time only
   * its signature gives (the `OFAuth-Signature` scheme with a body that carries no time): its
   * connection's state is then taken from OFAuth's list, whose `updatedAt` a retry cannot reset.
   * @defaultValue 5000
   */
  timeoutMs?: number | undefined;
  /**
   * Handlers by event type. A verified event without a handler is still answered 200.
   * @defaultValue {} (a store is then required)
   */
  on?: WebhookHandlers | undefined;
  /**
   * The app's connection store (e.g. `createConnectionStore()` of `@oflink/connections`). Each
   * verified message is claimed in it once across every server sharing it, and a `connection.*`
   * event's change applied in the same transaction, in the event's own order, before the handlers
   * run; a redelivery is answered as a duplicate and runs no handler, on any server. A handler that
   * fails releases the claim (answer 500), so the sender's retry runs the handlers again; its change
   * stays applied, and applying it again changes nothing. A message another server is handling at
   * that moment is answered 409 `in_progress`, and the sender retries it. If the store fails, the
   * answer is 503 `store_unavailable`. An event whose data can never be stored is answered 200,
   * reported (stage `data`) and kept as rejected.
   * @defaultValue undefined
   */
  store?: ConnectionStore | undefined;
  /**
   * Without a store: the de-duplication check. Resolve `true` when this message id was **already
   * processed** → the request is answered 200 and no handler runs. It must only read; record ids in
   * {@link remember}, which runs after every handler succeeded, so a message whose handler threw is
   * retried by the sender and runs again. Within one process, concurrent deliveries of one id never
   * run handlers twice either way.
   */
  seen?: ((messageId: string) => boolean | Promise<boolean>) | undefined;
  /** Without a store: record a processed message id (called once its handlers succeeded); pair with {@link seen}. */
  remember?: ((messageId: string, event: WebhookEvent) => unknown | Promise<unknown>) | undefined;
  /** ± tolerance of the signed timestamp. @defaultValue 300 */
  toleranceSeconds?: number | undefined;
  /** Largest body read, in bytes; larger → 413. @defaultValue 1_048_576 */
  maxBodyBytes?: number | undefined;
  /** Told about every rejected message and failing handler (never given the secret). */
  onError?: ((error: unknown, context: WebhookErrorContext) => unknown) | undefined;
}

/**
 * A Fetch-API endpoint for OFAuth webhooks: verifies the signature on the raw body (both schemes, see
 * `verifyWebhook`), de-duplicates by message id, and runs your handler for the event type.
 *
 * Answers: 200 `{received: true}` (also for a verified event with no handler, and for a duplicate);
 * 405 for a method other than POST; 413 for a body over `maxBodyBytes`; 401 `{error: {code, message}}` when
 * the signature, headers or timestamp are wrong; 400 `invalid_payload` for a signed body that is not a valid
 * event; 500 `handler_failed` when a handler (or `seen`) throws, so the sender retries later; 500
 * `internal_error` when a body parser already consumed the body (mount this handler before `express.json()`).
 * Handlers should still be idempotent: when the `'*'` handler throws after the type's handler succeeded,
 * the retry runs both again.
 *
 * A missing secret (no `secret`, no `OFAUTH_WEBHOOK_SECRET`) is not an error at creation: each request
 * then answers 500 `server_misconfigured` and the log says what to set. Without `onError`, failures are
 * printed with `console.error` (each kind of rejected signature once).
 *
 * @throws {OflinkServerError} `invalid_options` at creation for a wrong option, or a secret given but malformed.
 * @example
 * // app/api/webhooks/ofauth/route.ts (Next.js App Router)
 * const processed = new Set<string>(); // use your database in production
 * export const POST = createWebhookHandler({
 *   secret: process.env.OFAUTH_WEBHOOK_SECRET,
 *   on: {
 *     'connection.created': async (event) => {
 *       await db.connections.upsert(event.data.clientReferenceId, event.data.connection);
 *     },
 *     'connection.expired': async (event) => db.connections.markExpired(event.data.connection.id),
 *   },
 *   seen: (id) => processed.has(id),
 *   remember: (id) => void processed.add(id),
 * });
 */
export function createWebhookHandler(
  options: CreateWebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  const settings = webhookSettings(options);
  /** Messages being processed in this process: a concurrent duplicate waits for the first one's answer. */
  const inFlight = new Map<string, Promise<{ status: number; headers: Headers; body: string }>>();

  return async function webhookHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorAnswer('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
    }
    const event = await readVerified(request, settings);
    if (event instanceof Response) return event;
    const running = inFlight.get(event.id);
    if (running) {
      // processed by the first: a duplicate; else the first's refusal, so that the sender retries
      const first = await running;
      return first.status === 200 ? received(true) : new Response(first.body, first);
    }
    const answer = deliver(event, settings);
    // copied before the caller reads the answer (then-callbacks run in the order they were added)
    const copy = answer.then(async (r) => ({
      status: r.status,
      headers: r.headers,
      body: await r.clone().text(),
    }));
    inFlight.set(event.id, copy);
    try {
      return await answer;
    } finally {
      await copy.catch(() => undefined);
      inFlight.delete(event.id);
    }
  };
}
