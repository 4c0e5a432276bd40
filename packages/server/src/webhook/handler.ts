// The webhook endpoint: `createWebhookHandler` verifies each message (webhook/verify), runs it once
// across every server sharing the store (the message claimed and its change applied in one
// transaction, in the event's own order, then the handlers), and answers the sender so that it
// retries exactly what was not done. Its options are checked once, at creation.
import { changeProblem, WEBHOOK_EVENT_TYPES } from '@oflink/protocol';
import {
  checkHandlerOptions,
  checkPositiveInteger,
  checkTolerance,
  isDevelopment,
  isTimeout,
  ofauthEnv,
  type ResolvedUpstream,
  resolveUpstream,
  type UpstreamOptions,
} from '../config';
import { lookupConnection } from '../confirm';
import type { ConnectionChange, ConnectionStore, MessageClaim } from '../connections';
import { DEFAULT_BODY_TIMEOUT_MS, isInvalidData, readRequestBody, withDeadline } from '../endpoint';
import {
  errorResponse,
  invalidOptions,
  jsonResponse,
  logWebhookError,
  OflinkServerError,
  refusal,
} from '../errors';
import {
  decodeSecret,
  verifyWebhook,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookSecret,
  WebhookVerificationError,
} from './verify';

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
    const answerError = (error: unknown) =>
      errorResponse(error, { caller: 'createWebhookHandler', request, development: isDevelopment() });
    let event: WebhookEvent;
    try {
      if (request.method !== 'POST')
        throw refusal('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
      event = await readVerified(request, settings);
    } catch (error) {
      return answerError(error);
    }
    const running = inFlight.get(event.id);
    if (running) {
      // processed by the first: a duplicate; else the first's refusal, so that the sender retries
      const first = await running;
      return first.status === 200 ? received(true) : new Response(first.body, first);
    }
    const answer = deliver(event, settings).catch(answerError);
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

// ------------------------------------------------------------------ options

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const HANDLER_KEYS: ReadonlySet<string> = new Set<keyof WebhookHandlers>([
  ...WEBHOOK_EVENT_TYPES,
  'unknown',
  '*',
]);

/** What one request of the webhook endpoint needs. */
interface WebhookSettings {
  /** The secret now (the option, else `OFAUTH_WEBHOOK_SECRET`), or null when none is set. */
  secretNow(): WebhookSecret | null;
  toleranceSeconds: number;
  maxBodyBytes: number;
  on: WebhookHandlers;
  store: ConnectionStore | undefined;
  /** Deadline of each call to the store and to OFAuth, in ms. */
  timeoutMs: number;
  /** How to reach OFAuth, or why it cannot be reached (no apiKey: events are not reconciled with OFAuth). */
  upstreamNow(): ResolvedUpstream | Error;
  seen: CreateWebhookHandlerOptions['seen'];
  remember: CreateWebhookHandlerOptions['remember'];
  /** Tells `onError` (or the console); a failing logger never changes the answer. */
  report(error: unknown, context: WebhookErrorContext): void;
}

/** Checks the options; a wrong one, or a secret given but malformed, throws `invalid_options`. */
function webhookSettings(options: CreateWebhookHandlerOptions): WebhookSettings {
  if (!options || typeof options !== 'object') {
    throw invalidOptions('createWebhookHandler needs an options object: { secret, on: { … } }.');
  }
  const secretNow = secretReader(options);
  checkHandlers(options);
  const upstream = webhookUpstream(options);
  return {
    secretNow,
    toleranceSeconds: checkTolerance(options.toleranceSeconds, 'createWebhookHandler'),
    maxBodyBytes: checkPositiveInteger(
      options.maxBodyBytes,
      DEFAULT_MAX_BODY_BYTES,
      'maxBodyBytes',
      'createWebhookHandler',
    ),
    on: options.on ?? {},
    store: options.store,
    timeoutMs: upstream.timeoutMs,
    upstreamNow: () => {
      try {
        return upstream.get();
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    },
    seen: options.seen,
    remember: options.remember,
    report: (error, context) => {
      if (!options.onError) return logWebhookError(error, context);
      try {
        const result: unknown = options.onError(error, context);
        // An async logger that rejects must not become an unhandled rejection.
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // A failing logger must not change the answer.
      }
    },
  };
}

/**
 * The secret as a request reads it. A missing one is reported by the first request (500
 * server_misconfigured, logged once), never here, so that `next build` loads the route without
 * it; a malformed one throws `invalid_options` at once.
 */
function secretReader(options: CreateWebhookHandlerOptions): () => WebhookSecret | null {
  const secretNow = () => {
    const env = ofauthEnv();
    // during a rotation both secrets pass: the new one and OFAUTH_WEBHOOK_SECRET_OLD
    const fromEnv =
      env.webhookSecret && env.webhookSecretOld
        ? [env.webhookSecret, env.webhookSecretOld]
        : env.webhookSecret;
    const value = options.secret ?? fromEnv;
    return value === undefined || value === '' || (Array.isArray(value) && value.length === 0) ? null : value;
  };
  const present = secretNow();
  try {
    if (present !== null) for (const s of typeof present === 'string' ? [present] : present) decodeSecret(s);
  } catch (error) {
    throw invalidOptions(`createWebhookHandler: ${(error as Error).message}`);
  }
  return secretNow;
}

/** Default deadline of each store and OFAuth call: within the sender's 10 s per attempt. */
const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;

/**
 * How the handler reaches OFAuth to reconcile an event whose time only the signature gives. Only
 * the deadline is checked here: the handler must work without an apiKey or a global fetch (edge
 * runtimes), so the rest is resolved on first use, and a failure only turns reconciling off (the
 * request reports why).
 */
function webhookUpstream(options: CreateWebhookHandlerOptions): {
  get(): ResolvedUpstream;
  timeoutMs: number;
} {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  if (!isTimeout(timeoutMs))
    throw invalidOptions('createWebhookHandler: timeoutMs must be a positive number of milliseconds.');
  let resolved: ResolvedUpstream | null = null;
  return {
    get: () => (resolved ??= resolveUpstream({ ...options, timeoutMs }, 'createWebhookHandler')),
    timeoutMs,
  };
}

/** `on` holds known event types with functions, and the callbacks are functions; else `invalid_options`. */
function checkHandlers(options: CreateWebhookHandlerOptions): void {
  const { on, store } = options;
  if (on === undefined && store === undefined)
    throw invalidOptions(
      'createWebhookHandler: pass a store (createConnectionStore() of @oflink/connections), handlers in `on`, or both.',
    );
  if (on !== undefined && (on === null || typeof on !== 'object'))
    throw invalidOptions(
      "createWebhookHandler: `on` must be an object of handlers, e.g. { 'connection.created': fn }.",
    );
  if (store !== undefined && (options.seen !== undefined || options.remember !== undefined))
    throw invalidOptions(
      'createWebhookHandler: with a store, messages are de-duplicated by the store across servers: drop seen and remember.',
    );
  for (const [key, fn] of Object.entries(on ?? {})) {
    if (!HANDLER_KEYS.has(key))
      throw invalidOptions(
        `createWebhookHandler: unknown event type "${key}" in \`on\`. Known: ${[...HANDLER_KEYS].join(', ')}.`,
      );
    if (fn !== undefined && typeof fn !== 'function')
      throw invalidOptions(`createWebhookHandler: on["${key}"] must be a function.`);
  }
  checkHandlerOptions(options, 'createWebhookHandler', ['seen', 'remember', 'onError']);
}

// ------------------------------------------------------------------ one message

/** The verified event; throws the error that refuses the request. */
async function readVerified(request: Request, s: WebhookSettings): Promise<WebhookEvent> {
  const secret = s.secretNow();
  if (secret === null) {
    s.report(
      new WebhookVerificationError(
        'invalid_secret',
        'createWebhookHandler has no webhook secret: set OFAUTH_WEBHOOK_SECRET to the whsec_… secret of your OFAuth webhook endpoint, or pass { secret }.',
      ),
      { stage: 'verify' },
    );
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      'The webhook endpoint has no secret configured.',
    );
  }
  // the same reader and deadline as the browser-facing endpoints; the sender gives up after 10 s anyway
  const body = request.bodyUsed
    ? 'used'
    : await readRequestBody(request, s.maxBodyBytes, DEFAULT_BODY_TIMEOUT_MS);
  if (typeof body === 'string') throw bodyRefusal(body, s);
  try {
    return await verifyWebhook(body, request.headers, secret, { toleranceSeconds: s.toleranceSeconds });
  } catch (error) {
    s.report(error, { stage: 'verify' });
    if (error instanceof WebhookVerificationError)
      throw refusal(error.code, error.code === 'invalid_payload' ? 400 : 401, error.message);
    throw new OflinkServerError('internal_error', 500, 'The webhook could not be verified.');
  }
}

/**
 * Runs one verified message. With a store: the message is claimed once across every server sharing
 * it and its change applied in the same transaction, then the handlers run, then the claim is
 * settled (a handler that failed releases it, so the sender's retry runs them again); a redelivery
 * is answered as a duplicate and runs nothing. Without a store: `seen`, the handlers, `remember`.
 */
async function deliver(event: WebhookEvent, s: WebhookSettings): Promise<Response> {
  const context = { messageId: event.id, type: event.type === 'unknown' ? event.unknownType : event.type };
  const report = (stage: WebhookErrorContext['stage'], error: unknown) =>
    s.report(error, { stage, ...context });
  const store = s.store;
  if (!store) return deliverUnstored(event, s, report);
  let change = changeOf(event, s);
  const problem = change && changeProblem(change);
  if (problem) return rejected(event, s, report, new Error(`The event can never be stored: ${problem}.`));
  if (change && event.timeSource === 'signature') change = await reconciled(change, s, report);
  let claim: MessageClaim;
  try {
    claim = await withDeadline(() => store.claimMessage(event.id, change), s.timeoutMs, 'claim the message');
  } catch (error) {
    if (isInvalidData(error)) return rejected(event, s, report, error);
    report('store', error);
    throw retryLater('store_unavailable', 'The connection store failed', 503);
  }
  if (claim === 'handled') return received(true);
  if (claim === 'busy')
    throw refusal('in_progress', 409, 'Another server is handling this message; the sender will retry.', {
      'retry-after': '5',
    });
  const settle = async (outcome: 'handled' | 'failed') => {
    try {
      await withDeadline(() => store.settleMessage(event.id, outcome), s.timeoutMs, 'settle the message');
    } catch (error) {
      // handled: the answer stays 200 (a redelivery after the claim's lease runs the handlers again);
      // failed: the claim lapses after its lease, and the sender's retry takes it over
      report('store', error);
    }
  };
  try {
    await runHandlers(event, s);
  } catch (error) {
    report('handler', error);
    await settle('failed');
    throw retryLater('handler_failed', 'The webhook handler failed');
  }
  await settle('handled');
  return received(false);
}

/** The handlers of the event's type, then `'*'`. */
async function runHandlers(event: WebhookEvent, s: WebhookSettings): Promise<void> {
  const own = s.on[event.type] as ((e: WebhookEvent) => unknown) | undefined;
  if (own) await own(event);
  if (s.on['*']) await s.on['*'](event);
}

/** Without a store: the app's own de-duplication (`seen`, then `remember` once the handlers succeeded). */
async function deliverUnstored(
  event: WebhookEvent,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
): Promise<Response> {
  try {
    if (s.seen && (await s.seen(event.id)) === true) return received(true);
  } catch (error) {
    report('seen', error);
    throw retryLater('handler_failed', 'The de-duplication check failed');
  }
  try {
    await runHandlers(event, s);
  } catch (error) {
    report('handler', error);
    throw retryLater('handler_failed', 'The webhook handler failed');
  }
  try {
    await s.remember?.(event.id, event);
  } catch (error) {
    // The handlers ran: answering 500 would run them again on the retry.
    report('remember', error);
  }
  return received(false);
}

/**
 * A message whose data can never be stored: retrying cannot help, so it is answered 200, told to
 * `onError` (stage `data`) and kept as rejected in the store, where a redelivery finds it.
 */
async function rejected(
  event: WebhookEvent,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
  error: unknown,
): Promise<Response> {
  report('data', error);
  try {
    const store = s.store as ConnectionStore;
    await withDeadline(() => store.settleMessage(event.id, 'rejected'), s.timeoutMs, 'keep the rejection');
  } catch (failure) {
    report('store', failure);
  }
  return jsonResponse(200, { received: true, rejected: true });
}

/**
 * A change whose time only the signature gives (a retry re-sets it, so it cannot order the event
 * against newer ones) takes OFAuth's own state of the connection and its `updatedAt` instead, when
 * the handler can reach OFAuth. A disconnect needs no time: it always wins. When OFAuth does not
 * list the connection, or cannot be reached, the event is applied as it came.
 */
async function reconciled(
  change: ConnectionChange,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
): Promise<ConnectionChange> {
  if (change.type === 'connection.disconnected') return change;
  const upstream = s.upstreamNow();
  if (upstream instanceof Error) {
    const missingKey = upstream instanceof OflinkServerError && upstream.code === 'server_misconfigured';
    report('reconcile', missingKey ? new Error(RECONCILE_OFF) : upstream);
    return change;
  }
  try {
    const found = await lookupConnection(upstream, change.connection.id, {
      activeOnly: false,
      signal: AbortSignal.timeout(s.timeoutMs),
    });
    const at = typeof found === 'string' ? Number.NaN : Date.parse(found.updatedAt);
    if (typeof found === 'string' || !Number.isFinite(at)) return change;
    const { id, status, userData, permissions, createdAt, clientReferenceId } = found;
    return {
      ...change,
      timestamp: new Date(at).toISOString(),
      connection: { id, status, userData, permissions, createdAt },
      clientReferenceId: clientReferenceId || change.clientReferenceId,
    };
  } catch (error) {
    report('reconcile', error);
    return change;
  }
}

const RECONCILE_OFF =
  'An event without its own time (OFAuth-Signature, SDK envelope) is ordered by its signed time, ' +
  'which a retry re-sets: set OFAUTH_API_KEY (or pass apiKey) so the handler can take the ' +
  "connection's state from OFAuth instead.";

/** The error for a body that could not be taken as it came. */
function bodyRefusal(
  body: 'too_large' | 'used' | 'timeout' | 'unreadable',
  s: WebhookSettings,
): OflinkServerError {
  switch (body) {
    case 'too_large':
      return refusal('body_too_large', 413, `The body is larger than ${s.maxBodyBytes} bytes.`);
    case 'used':
      // Verification needs the raw bytes; a re-serialised body would not match the signature anyway.
      s.report(
        new Error(
          'The request body was already read before createWebhookHandler: mount it before body parsers (express.json()).',
        ),
        { stage: 'verify' },
      );
      return new OflinkServerError('internal_error', 500, 'The webhook endpoint is not set up correctly.');
    case 'timeout':
      return refusal('request_timeout', 408, 'The request body did not arrive in time.');
    default:
      return refusal('invalid_request', 400, 'The request body could not be read.');
  }
}

/** A failure the sender should retry: nothing of the message was kept. */
function retryLater(
  code: 'store_unavailable' | 'handler_failed',
  what: string,
  status = 500,
): OflinkServerError {
  return new OflinkServerError(code, status, `${what}; the sender will retry.`);
}

/**
 * A verified `connection.*` event as the store applies it (null for other events). `live` is the
 * envelope's, else the kind of the handler's apiKey, else unknown.
 */
function changeOf(event: WebhookEvent, s: WebhookSettings): ConnectionChange | null {
  if (event.type === 'unknown' || event.type === 'rules.updated') return null;
  const upstream = s.upstreamNow();
  const key = upstream instanceof Error ? undefined : upstream.apiKey;
  return {
    type: event.type,
    timestamp: event.timestamp,
    connection: event.data.connection,
    clientReferenceId: event.data.clientReferenceId || null,
    live: event.live ?? (key === undefined ? null : !key.startsWith('sk_sandbox_')),
  };
}

/** The answer to a verified message: processed now, or before (`duplicate`). */
function received(duplicate: boolean): Response {
  return jsonResponse(200, duplicate ? { received: true, duplicate: true } : { received: true });
}
