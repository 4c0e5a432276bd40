// Internal: the options of createWebhookHandler, checked once at creation, as what a request needs.
import { type ConnectionStore, WEBHOOK_EVENT_TYPES } from '@oflink/protocol';
import type {
  CreateWebhookHandlerOptions,
  WebhookErrorContext,
  WebhookHandlers,
} from './createWebhookHandler';
import { ofauthEnv } from './env';
import { checkHandlerOptions } from './handlerOptions';
import { logWebhookError } from './log';
import { invalidOptions } from './OflinkServerError';
import { isTimeout, type ResolvedUpstream, resolveUpstream } from './upstreamOptions';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, type WebhookSecret } from './verifyWebhook';
import { decodeSecret } from './webhookSecret';

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
    toleranceSeconds: checkedNumber(
      options.toleranceSeconds,
      DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
      'toleranceSeconds',
    ),
    maxBodyBytes: checkedNumber(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes'),
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

/** `toleranceSeconds`: a finite number, 0 or more; `maxBodyBytes`: a positive integer. */
function checkedNumber(
  value: number | undefined,
  fallback: number,
  name: 'toleranceSeconds' | 'maxBodyBytes',
) {
  const n = value ?? fallback;
  const ok =
    name === 'toleranceSeconds'
      ? typeof n === 'number' && Number.isFinite(n) && n >= 0
      : Number.isInteger(n) && n >= 1;
  if (!ok)
    throw invalidOptions(
      name === 'toleranceSeconds'
        ? 'createWebhookHandler: toleranceSeconds must be a finite number, 0 or more.'
        : 'createWebhookHandler: maxBodyBytes must be a positive integer.',
    );
  return n;
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
