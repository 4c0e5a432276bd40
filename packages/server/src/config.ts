// The configuration of every handler: the OFAUTH_* variables (read at each use, never when a module
// loads, so a route module imported while `next build` collects its configuration needs none of
// them), the options every call to OFAuth shares, and the checks every factory makes of its options
// (each mistake the same `invalid_options` error with the same sentence).
import { invalidOptions, OflinkServerError } from './errors';

/** The environment variables every server function falls back to. */
export interface OfauthEnv {
  /** `OFAUTH_API_KEY` */
  apiKey?: string;
  /** `OFAUTH_BASE_URL` */
  baseUrl?: string;
  /** `OFAUTH_CLIENT_APP_ID` */
  clientAppId?: string;
  /** `OFAUTH_REDIRECT_URL` */
  redirectUrl?: string;
  /** `OFAUTH_WEBHOOK_SECRET` */
  webhookSecret?: string;
  /** `OFAUTH_WEBHOOK_SECRET_OLD` (during a rotation) */
  webhookSecretOld?: string;
}

function variables(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

/** The OFAUTH_* variables that are set (an empty string counts as unset). */
export function ofauthEnv(): OfauthEnv {
  const v = variables();
  const read = (name: string) => (v[name] === undefined || v[name] === '' ? undefined : v[name]);
  const out: OfauthEnv = {};
  const pairs: [keyof OfauthEnv, string][] = [
    ['apiKey', 'OFAUTH_API_KEY'],
    ['baseUrl', 'OFAUTH_BASE_URL'],
    ['clientAppId', 'OFAUTH_CLIENT_APP_ID'],
    ['redirectUrl', 'OFAUTH_REDIRECT_URL'],
    ['webhookSecret', 'OFAUTH_WEBHOOK_SECRET'],
    ['webhookSecretOld', 'OFAUTH_WEBHOOK_SECRET_OLD'],
  ];
  for (const [key, name] of pairs) {
    const value = read(name);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** True unless `NODE_ENV` is `production`: development answers say more about a refusal. */
export function isDevelopment(): boolean {
  return variables().NODE_ENV !== 'production';
}

/** Options shared by every call that reaches OFAuth. */
export interface UpstreamOptions {
  /**
   * OFAuth secret key, sent as the `apiKey` header. Server-side only.
   * @defaultValue `process.env.OFAUTH_API_KEY`
   */
  apiKey?: string | undefined;
  /**
   * OFAuth API base URL (a path prefix is kept, for proxies).
   * @defaultValue 'https://api.ofauth.com'
   */
  baseUrl?: string | undefined;
  /**
   * Deadline of one upstream operation in milliseconds, including retries, `Retry-After` waits and
   * reading the response body; beyond it the call fails with `upstream_timeout` (504). Each call
   * to the connection store has the same deadline (then 503 `store_unavailable`).
   * @defaultValue 10000
   */
  timeoutMs?: number | undefined;
  /**
   * Extra attempts after a network error, a 502/503/504, or a 429 whose `Retry-After` is at most 2 s
   * and fits in the deadline. Nothing else is retried. 0 to 5.
   * @defaultValue 1
   */
  retries?: number | undefined;
  /**
   * The `fetch` used to reach OFAuth (tests, proxies, instrumentation, another HTTP client).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch | undefined;
}

/** Validated, defaulted {@link UpstreamOptions}. */
export interface ResolvedUpstream {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  fetch: typeof fetch;
}

export const DEFAULT_BASE_URL = 'https://api.ofauth.com';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 1;

/**
 * Validates and defaults the upstream options (unset ones from `OFAUTH_API_KEY` and
 * `OFAUTH_BASE_URL`); throws `invalid_options` naming the fix for a value that is wrong, and
 * `server_misconfigured` when no apiKey is set at all (see {@link deferMissing}).
 */
export function resolveUpstream(options: UpstreamOptions, caller: string): ResolvedUpstream {
  if (options === null || typeof options !== 'object')
    throw invalidOptions(`${caller}: options must be an object.`);
  const env = ofauthEnv();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!isTimeout(timeoutMs)) {
    throw invalidOptions(
      `${caller}: timeoutMs must be a positive number of milliseconds (default ${DEFAULT_TIMEOUT_MS}).`,
    );
  }
  const retries = options.retries ?? DEFAULT_RETRIES;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 5) {
    throw invalidOptions(`${caller}: retries must be an integer from 0 to 5 (default ${DEFAULT_RETRIES}).`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw invalidOptions(`${caller}: fetch must be a function.`);
  const f =
    options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
  if (!f) throw invalidOptions(`${caller}: no fetch is available in this runtime; pass { fetch }.`);
  const baseUrl = checkBaseUrl(options.baseUrl ?? env.baseUrl ?? DEFAULT_BASE_URL, caller);
  return { apiKey: checkApiKey(options.apiKey ?? env.apiKey, caller), baseUrl, timeoutMs, retries, fetch: f };
}

/** A positive number of milliseconds that a timer can hold. */
export function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 2_147_483_647;
}

function checkApiKey(apiKey: unknown, caller: string): string {
  if (apiKey === undefined || apiKey === '') {
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `${caller} has no OFAuth apiKey: set the OFAUTH_API_KEY environment variable on the server, or pass { apiKey }.`,
    );
  }
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw invalidOptions(`${caller}: apiKey must be a non-empty string (OFAUTH_API_KEY).`);
  }
  if (/[^!-~]/.test(apiKey)) {
    throw invalidOptions(
      `${caller}: the apiKey contains whitespace or non-ASCII characters; check OFAUTH_API_KEY.`,
    );
  }
  return apiKey;
}

/** The base URL without a trailing slash; an http(s) URL without query or hash. */
function checkBaseUrl(raw: unknown, caller: string): string {
  let base: URL | null = null;
  try {
    base = typeof raw === 'string' ? new URL(raw) : null;
  } catch {
    base = null;
  }
  if (!base || (base.protocol !== 'https:' && base.protocol !== 'http:') || base.search || base.hash) {
    throw invalidOptions(
      `${caller}: baseUrl (or OFAUTH_BASE_URL) must be an http(s) URL without query or hash, e.g. "${DEFAULT_BASE_URL}".`,
    );
  }
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
}

/**
 * Resolves settings now when it can, and later when only a secret is missing: a handler created
 * while `next build` loads route modules has no OFAUTH_* variables yet, and must not throw then.
 * A wrong value that is present still throws at once. `get()` retries until it succeeds, then
 * keeps the result; while the secret is missing it throws the `server_misconfigured` error.
 */
export function deferMissing<T>(resolve: () => T): { get(): T } {
  let resolved: { value: T } | null = null;
  const attempt = () => {
    resolved = { value: resolve() };
    return resolved.value;
  };
  try {
    attempt();
  } catch (error) {
    if (!(error instanceof OflinkServerError && error.code === 'server_misconfigured')) throw error;
  }
  return { get: () => (resolved ? resolved.value : attempt()) };
}

const STORE_METHODS = ['record', 'claimMessage', 'settleMessage', 'list', 'find', 'remove'];

/** Whether `value` has the methods of a `ConnectionStore`. */
export function isConnectionStore(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const store = value as Record<string, unknown>;
  return STORE_METHODS.every((m) => typeof store[m] === 'function');
}

const WHAT: Record<string, string> = {
  getClientReferenceId: 'a function (request) => the signed-in user id, or null when nobody is signed in',
};

/**
 * Throws `invalid_options` unless `options` is an object whose named callbacks are functions
 * (`required` ones present) and whose `store`, when given (or required), is a ConnectionStore.
 */
export function checkHandlerOptions<T extends object>(
  options: T,
  caller: string,
  callbacks: readonly (keyof T & string)[],
  required: readonly (keyof T & string)[] = [],
): void {
  if (options === null || typeof options !== 'object')
    throw invalidOptions(`${caller}: pass an options object.`);
  const given = options as Record<string, unknown>;
  for (const name of callbacks) {
    const needed = required.includes(name);
    if ((needed || given[name] !== undefined) && typeof given[name] !== 'function')
      throw invalidOptions(`${caller}: ${name} must be ${WHAT[name] ?? 'a function'}.`);
  }
  if (
    (required.includes('store' as keyof T & string) || given.store !== undefined) &&
    !isConnectionStore(given.store)
  )
    throw invalidOptions(
      `${caller}: store must be a ConnectionStore (${STORE_METHODS.join(', ')}), e.g. createConnectionStore() of @oflink/connections.`,
    );
}

/** Default ± tolerance of a webhook's signed timestamp, in seconds (PROTOCOL.md §6). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * A webhook's timestamp tolerance, checked: a finite number of seconds, 0 or more (the same rule
 * for `verifyWebhook` and `createWebhookHandler`); a wrong one throws `invalid_options`.
 */
export function checkTolerance(value: unknown, caller: string): number {
  if (value === undefined) return DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw invalidOptions(`${caller}: toleranceSeconds must be a finite number of seconds, 0 or more.`);
  return value;
}

/** A positive whole number option (a size in bytes), checked; a wrong one throws `invalid_options`. */
export function checkPositiveInteger(value: unknown, fallback: number, name: string, caller: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1)
    throw invalidOptions(`${caller}: ${name} must be a positive integer.`);
  return value as number;
}
