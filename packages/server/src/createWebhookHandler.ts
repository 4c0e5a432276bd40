import type { ConnectionStore } from '@oflink/protocol';
import { errorAnswer } from './answer';
import type { WebhookSecret } from './verifyWebhook';
import { deliver, readVerified, received, retryLater } from './webhookDelivery';
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
  /** `verify`: rejected message; `handler`: a handler threw; `seen` / `remember`: your de-duplication store threw; `store`: the connection store failed. */
  stage: 'verify' | 'handler' | 'seen' | 'remember' | 'store';
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
export interface CreateWebhookHandlerOptions {
  /**
   * `whsec_<base64>` signing secret, or several during a rotation.
   * @defaultValue `process.env.OFAUTH_WEBHOOK_SECRET`
   */
  secret?: WebhookSecret;
  /** Handlers by event type. A verified event without a handler is still answered 200. */
  on: WebhookHandlers;
  /**
   * The app's connection store (e.g. `createConnectionStore()` of `@oflink/connections`): every
   * verified `connection.*` event is applied to it once (by message id, in the store's own
   * transaction) and in order, before the handlers run. If it fails, the answer is 503
   * `store_unavailable` and the sender retries.
   * @defaultValue undefined
   */
  store?: ConnectionStore;
  /**
   * De-duplication check: resolve `true` when this message id was **already processed** → the request is
   * answered 200 and no handler runs. It must only read; record ids in {@link remember}, which runs after
   * every handler succeeded, so a message whose handler threw is retried by the sender and runs again.
   * Within one process, concurrent deliveries of one id never run handlers twice either way.
   */
  seen?: (messageId: string) => boolean | Promise<boolean>;
  /** Record a processed message id (called once its handlers succeeded); pair with {@link seen}. */
  remember?: (messageId: string, event: WebhookEvent) => unknown | Promise<unknown>;
  /** ± tolerance of the signed timestamp. @defaultValue 300 */
  toleranceSeconds?: number;
  /** Largest body read, in bytes; larger → 413. @defaultValue 1_048_576 */
  maxBodyBytes?: number;
  /** Told about every rejected message and failing handler (never given the secret). */
  onError?: (error: unknown, context: WebhookErrorContext) => unknown;
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
  /** Messages being processed in this process: a concurrent duplicate waits for the first one's status. */
  const inFlight = new Map<string, Promise<number>>();

  return async function webhookHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorAnswer('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
    }
    const event = await readVerified(request, settings);
    if (event instanceof Response) return event;
    const running = inFlight.get(event.id);
    if (running) {
      const status = await running;
      if (status === 200) return received(true);
      return status === 503
        ? retryLater('store_unavailable', 'The connection store failed', 503)
        : retryLater('handler_failed', 'The webhook handler failed');
    }
    const answer = deliver(event, settings);
    inFlight.set(
      event.id,
      answer.then((r) => r.status),
    );
    try {
      return await answer;
    } finally {
      inFlight.delete(event.id);
    }
  };
}
