import { type ConnectionChange, type ConnectionStore, WEBHOOK_EVENT_TYPES } from '@oflink/protocol';
import { errorAnswer, jsonAnswer } from './answer';
import { ofauthEnv } from './env';
import { logWebhookError } from './log';
import { invalidOptions } from './OflinkServerError';
import { DEFAULT_BODY_TIMEOUT_MS, readRequestBody } from './requestBody';
import { isConnectionStore } from './storeCall';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, verifyWebhook, type WebhookSecret } from './verifyWebhook';
import { decodeSecret } from './webhookSecret';
import {
  type ConnectionEventData,
  type WebhookEvent,
  type WebhookEventType,
  WebhookVerificationError,
} from './webhookTypes';

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

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const HANDLER_KEYS: ReadonlySet<string> = new Set<keyof WebhookHandlers>([
  ...WEBHOOK_EVENT_TYPES,
  'unknown',
  '*',
]);

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
  if (!options || typeof options !== 'object') {
    throw invalidOptions('createWebhookHandler needs an options object: { secret, on: { … } }.');
  }
  // Missing secret: reported by the first request (500 server_misconfigured, logged once), never
  // here, so that `next build` loads the route without it. A malformed one throws at once.
  const secretNow = () => {
    const value = options.secret ?? ofauthEnv().webhookSecret;
    return value === undefined || value === '' || (Array.isArray(value) && value.length === 0) ? null : value;
  };
  const present = secretNow();
  try {
    if (present !== null) for (const s of typeof present === 'string' ? [present] : present) decodeSecret(s);
  } catch (error) {
    throw invalidOptions(`createWebhookHandler: ${(error as Error).message}`);
  }

  const { on, store } = options;
  checkHandlers(options);
  if (store !== undefined && !isConnectionStore(store))
    throw invalidOptions(
      'createWebhookHandler: store must be a ConnectionStore (record, applyChange, list, find, remove).',
    );
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw invalidOptions('createWebhookHandler: toleranceSeconds must be a finite number, 0 or more.');
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw invalidOptions('createWebhookHandler: maxBodyBytes must be a positive integer.');
  }

  const report = (error: unknown, context: WebhookErrorContext) => {
    if (!options.onError) return logWebhookError(error, context);
    try {
      const result: unknown = options.onError(error, context);
      // An async logger that rejects must not become an unhandled rejection.
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // A failing logger must not change the answer.
    }
  };
  /** The verified event, or the answer that refuses the request. */
  const readVerified = async (request: Request): Promise<WebhookEvent | Response> => {
    const secret = secretNow();
    if (secret === null) {
      report(
        new WebhookVerificationError(
          'invalid_secret',
          'createWebhookHandler has no webhook secret: set OFAUTH_WEBHOOK_SECRET to the whsec_… secret of your OFAuth webhook endpoint, or pass { secret }.',
        ),
        { stage: 'verify' },
      );
      request.body?.cancel().catch(() => undefined);
      return errorAnswer('server_misconfigured', 500, 'The webhook endpoint has no secret configured.');
    }
    // the same reader and deadline as the browser-facing endpoints; the sender gives up after 10 s anyway
    const body = request.bodyUsed
      ? 'used'
      : await readRequestBody(request, maxBodyBytes, DEFAULT_BODY_TIMEOUT_MS);
    if (typeof body === 'string') return bodyRefusal(body, maxBodyBytes, report);
    try {
      return await verifyWebhook(body, request.headers, secret, { toleranceSeconds });
    } catch (error) {
      report(error, { stage: 'verify' });
      if (error instanceof WebhookVerificationError) {
        return errorAnswer(error.code, error.code === 'invalid_payload' ? 400 : 401, error.message);
      }
      return errorAnswer('internal_error', 500, 'The webhook could not be verified.');
    }
  };

  /** De-duplicates, applies the event to the store, runs the handlers, remembers the id. */
  const deliver = async (event: WebhookEvent): Promise<Response> => {
    const context = { messageId: event.id, type: event.type === 'unknown' ? event.unknownType : event.type };
    const failed = (stage: WebhookErrorContext['stage'], error: unknown, answer: Response) => {
      report(error, { stage, ...context });
      return answer;
    };
    try {
      if (options.seen && (await options.seen(event.id)) === true) return received(true);
    } catch (error) {
      return failed('seen', error, retryLater('handler_failed', 'The de-duplication check failed'));
    }
    try {
      if (store && event.type !== 'unknown' && event.type !== 'rules.updated')
        await store.applyChange(changeOf(event));
    } catch (error) {
      return failed('store', error, retryLater('store_unavailable', 'The connection store failed', 503));
    }
    try {
      const own = on[event.type] as ((e: WebhookEvent) => unknown) | undefined;
      if (own) await own(event);
      if (on['*']) await on['*'](event);
    } catch (error) {
      return failed('handler', error, retryLater('handler_failed', 'The webhook handler failed'));
    }
    try {
      await options.remember?.(event.id, event);
    } catch (error) {
      // The handlers ran: answering 500 would run them again on the retry.
      report(error, { stage: 'remember', ...context });
    }
    return received(false);
  };

  /** Messages being processed in this process: a concurrent duplicate waits for the first one's status. */
  const inFlight = new Map<string, Promise<number>>();

  return async function webhookHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorAnswer('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
    }
    const event = await readVerified(request);
    if (event instanceof Response) return event;
    const running = inFlight.get(event.id);
    if (running) {
      const status = await running;
      if (status === 200) return received(true);
      return status === 503
        ? retryLater('store_unavailable', 'The connection store failed', 503)
        : retryLater('handler_failed', 'The webhook handler failed');
    }
    const answer = deliver(event);
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

/** The answer to a body that could not be taken as it came. */
function bodyRefusal(
  body: 'too_large' | 'used' | 'timeout' | 'unreadable',
  maxBodyBytes: number,
  report: (error: unknown, context: WebhookErrorContext) => void,
): Response {
  switch (body) {
    case 'too_large':
      return errorAnswer('body_too_large', 413, `The body is larger than ${maxBodyBytes} bytes.`);
    case 'used':
      // Verification needs the raw bytes; a re-serialised body would not match the signature anyway.
      report(
        new Error(
          'The request body was already read before createWebhookHandler: mount it before body parsers (express.json()).',
        ),
        { stage: 'verify' },
      );
      return errorAnswer('internal_error', 500, 'The webhook endpoint is not set up correctly.');
    case 'timeout':
      return errorAnswer('request_timeout', 408, 'The request body did not arrive in time.');
    default:
      return errorAnswer('invalid_request', 400, 'The request body could not be read.');
  }
}

/** A failure the sender should retry: nothing of the message was kept. */
function retryLater(code: string, what: string, status = 500): Response {
  return errorAnswer(code, status, `${what}; the sender will retry.`);
}

/** A verified `connection.*` event as the store applies it. */
function changeOf(event: Extract<WebhookEvent, { data: ConnectionEventData }>): ConnectionChange {
  return {
    messageId: event.id,
    type: event.type,
    timestamp: event.timestamp,
    connection: event.data.connection,
    clientReferenceId: event.data.clientReferenceId,
  };
}

/** `on` holds known event types with functions, and the callbacks are functions; else `invalid_options`. */
function checkHandlers(options: CreateWebhookHandlerOptions): void {
  const { on } = options;
  if (!on || typeof on !== 'object')
    throw invalidOptions(
      "createWebhookHandler: `on` must be an object of handlers, e.g. { 'connection.created': fn }.",
    );
  for (const [key, fn] of Object.entries(on)) {
    if (!HANDLER_KEYS.has(key))
      throw invalidOptions(
        `createWebhookHandler: unknown event type "${key}" in \`on\`. Known: ${[...HANDLER_KEYS].join(', ')}.`,
      );
    if (fn !== undefined && typeof fn !== 'function')
      throw invalidOptions(`createWebhookHandler: on["${key}"] must be a function.`);
  }
  for (const name of ['seen', 'remember', 'onError'] as const)
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw invalidOptions(`createWebhookHandler: ${name} must be a function.`);
}

function received(duplicate: boolean): Response {
  return jsonAnswer(200, duplicate ? { received: true, duplicate: true } : { received: true });
}
