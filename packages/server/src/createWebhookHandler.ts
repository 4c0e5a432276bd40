import { WEBHOOK_EVENT_TYPES } from '@oflink/protocol';
import { errorAnswer, jsonAnswer } from './answer';
import { ofauthEnv } from './env';
import { logWebhookError } from './log';
import { invalidOptions } from './OflinkServerError';
import { DEFAULT_BODY_TIMEOUT_MS, readRequestBody } from './requestBody';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, verifyWebhook, type WebhookSecret } from './verifyWebhook';
import { decodeSecret } from './webhookSecret';
import { type WebhookEvent, type WebhookEventType, WebhookVerificationError } from './webhookTypes';

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
  /** `verify`: rejected message; `handler`: a handler threw; `seen` / `remember`: your de-duplication store threw. */
  stage: 'verify' | 'handler' | 'seen' | 'remember';
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

  const { on } = options;
  checkHandlers(options);
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
  /** Messages being processed in this process: a concurrent duplicate waits for the first one's result. */
  const inFlight = new Map<string, Promise<boolean>>();

  return async function webhookHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorAnswer('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
    }
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
    if (body === 'too_large') {
      return errorAnswer('body_too_large', 413, `The body is larger than ${maxBodyBytes} bytes.`);
    }
    if (body === 'used') {
      // Verification needs the raw bytes; a re-serialised body would not match the signature anyway.
      report(
        new Error(
          'The request body was already read before createWebhookHandler: mount it before body parsers (express.json()).',
        ),
        { stage: 'verify' },
      );
      return errorAnswer('internal_error', 500, 'The webhook endpoint is not set up correctly.');
    }
    if (body === 'timeout') {
      return errorAnswer('request_timeout', 408, 'The request body did not arrive in time.');
    }
    if (body === 'unreadable') {
      return errorAnswer('invalid_request', 400, 'The request body could not be read.');
    }

    let event: WebhookEvent;
    try {
      event = await verifyWebhook(body, request.headers, secret, { toleranceSeconds });
    } catch (error) {
      report(error, { stage: 'verify' });
      if (error instanceof WebhookVerificationError) {
        return errorAnswer(error.code, error.code === 'invalid_payload' ? 400 : 401, error.message);
      }
      return errorAnswer('internal_error', 500, 'The webhook could not be verified.');
    }
    const context = {
      messageId: event.id,
      type: event.type === 'unknown' ? event.unknownType : event.type,
    };

    const running = inFlight.get(event.id);
    if (running) {
      return (await running)
        ? received(true)
        : errorAnswer('handler_failed', 500, 'The webhook handler failed; the sender will retry.');
    }
    let settle: (ok: boolean) => void = () => undefined;
    inFlight.set(
      event.id,
      new Promise<boolean>((resolve) => {
        settle = resolve;
      }),
    );
    try {
      if (options.seen) {
        let already: boolean;
        try {
          already = (await options.seen(event.id)) === true;
        } catch (error) {
          report(error, { stage: 'seen', ...context });
          settle(false);
          return errorAnswer(
            'handler_failed',
            500,
            'The de-duplication check failed; the sender will retry.',
          );
        }
        if (already) {
          settle(true);
          return received(true);
        }
      }
      try {
        const own = on[event.type] as ((e: WebhookEvent) => unknown) | undefined;
        if (own) await own(event);
        if (on['*']) await on['*'](event);
      } catch (error) {
        report(error, { stage: 'handler', ...context });
        settle(false);
        return errorAnswer('handler_failed', 500, 'The webhook handler failed; the sender will retry.');
      }
      if (options.remember) {
        try {
          await options.remember(event.id, event);
        } catch (error) {
          // The handlers ran: answering 500 would run them again on the retry.
          report(error, { stage: 'remember', ...context });
        }
      }
      settle(true);
      return received(false);
    } finally {
      inFlight.delete(event.id);
    }
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
