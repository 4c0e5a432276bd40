// What `createWebhookHandler` is given, and what it makes of it once, at creation: the options'
// types, their checks (a wrong one throws `invalid_options`) and the settings each request reads.
import { WEBHOOK_EVENT_TYPES } from '@oflink/protocol';
import {
  checkHandlerOptions,
  checkPositiveInteger,
  checkTolerance,
  isTimeout,
  ofauthEnv,
  type ResolvedUpstream,
  resolveUpstream,
  type UpstreamOptions,
} from '../config';
import type { ConnectionStore } from '../connections';
import { invalidOptions, logWebhookError } from '../errors';
import type { WebhookEvent, WebhookEventType } from './events';
import { decodeSecret, type WebhookSecret } from './signatures';

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

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const HANDLER_KEYS: ReadonlySet<string> = new Set<keyof WebhookHandlers>([
  ...WEBHOOK_EVENT_TYPES,
  'unknown',
  '*',
]);

/** What one request of the webhook endpoint needs. */
export interface WebhookSettings {
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
export function webhookSettings(options: CreateWebhookHandlerOptions): WebhookSettings {
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
