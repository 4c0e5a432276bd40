import { readErrorBody } from '@oflink/protocol';
// Internal: one upstream call to OFAuth with the package's timeout, retry and error-mapping rules.
// Used by createLinkSession and confirmConnection; nothing here is exported from the package.
import { ofauthEnv } from './env';
import { OflinkServerError } from './OflinkServerError';
import { readBounded } from './readBounded';
import { redact, sanitizeCause } from './redact';

/** Options shared by every call that reaches OFAuth. */
export interface UpstreamOptions {
  /**
   * OFAuth secret key, sent as the `apiKey` header. Server-side only.
   * @defaultValue `process.env.OFAUTH_API_KEY`
   */
  apiKey?: string;
  /**
   * OFAuth API base URL (a path prefix is kept, for proxies).
   * @defaultValue 'https://api.ofauth.com'
   */
  baseUrl?: string;
  /**
   * Deadline of one upstream operation in milliseconds, including retries, `Retry-After` waits and
   * reading the response body. Beyond it the call fails with `upstream_timeout` (504).
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Extra attempts after a network error, a 502/503/504, or a 429 whose `Retry-After` is at most 2 s
   * and fits in the deadline. Nothing else is retried. 0 to 5.
   * @defaultValue 1
   */
  retries?: number;
  /**
   * The `fetch` used to reach OFAuth (tests, proxies, instrumentation, another HTTP client).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch;
}

/** One request to OFAuth, as {@link send} makes it. */
interface Outgoing {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** JSON text, when the call has a body. */
  body?: string;
  /** Aborted at the deadline or by the caller. */
  signal: AbortSignal;
}

/** What OFAuth answered: a 3xx comes back as it is, never followed. */
interface Answer {
  status: number;
  header(name: string): string | null;
  /** The body as UTF-8 text (at most {@link MAX_UPSTREAM_BODY} bytes). */
  text: string;
}

/** The rejection when the runtime itself refused a redirect (fetch with `redirect: 'error'`). */
class RedirectRefused extends Error {}

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
/** Longest `Retry-After` the server waits out itself; a longer one is answered with 429 at once. */
export const MAX_RETRY_AFTER_MS = 2_000;
/** The User-Agent OFAuth sees. */
export const USER_AGENT = 'oflink-server';
/** Largest answer body read from OFAuth, in bytes. */
export const MAX_UPSTREAM_BODY = 1_000_000;
/** The message of the rejection for a larger body. */
const TOO_LARGE_MESSAGE = 'The upstream response body is larger than 1 MB.';
const BACKOFF_MS = 100;

function invalid(message: string): OflinkServerError {
  return new OflinkServerError('invalid_options', 500, message);
}

/**
 * Validates and defaults the upstream options (unset ones from `OFAUTH_API_KEY` and
 * `OFAUTH_BASE_URL`); throws `invalid_options` naming the fix for a value that is wrong, and
 * `server_misconfigured` when no apiKey is set at all (see {@link deferMissing}).
 */
export function resolveUpstream(options: UpstreamOptions, caller: string): ResolvedUpstream {
  if (options === null || typeof options !== 'object') throw invalid(`${caller}: options must be an object.`);
  const env = ofauthEnv();
  const apiKey = options.apiKey ?? env.apiKey;
  if (apiKey === undefined || apiKey === '') {
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `${caller} has no OFAuth apiKey: set the OFAUTH_API_KEY environment variable on the server, or pass { apiKey }.`,
    );
  }
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw invalid(`${caller}: apiKey must be a non-empty string (OFAUTH_API_KEY).`);
  }
  if (/[^!-~]/.test(apiKey)) {
    throw invalid(`${caller}: the apiKey contains whitespace or non-ASCII characters; check OFAUTH_API_KEY.`);
  }
  const rawBase = options.baseUrl ?? env.baseUrl ?? DEFAULT_BASE_URL;
  let base: URL | null = null;
  try {
    base = typeof rawBase === 'string' ? new URL(rawBase) : null;
  } catch {
    base = null;
  }
  if (!base || (base.protocol !== 'https:' && base.protocol !== 'http:') || base.search || base.hash) {
    throw invalid(
      `${caller}: baseUrl (or OFAUTH_BASE_URL) must be an http(s) URL without query or hash, e.g. "${DEFAULT_BASE_URL}".`,
    );
  }
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > 2_147_483_647
  ) {
    throw invalid(
      `${caller}: timeoutMs must be a positive number of milliseconds (default ${DEFAULT_TIMEOUT_MS}).`,
    );
  }
  const retries = options.retries ?? DEFAULT_RETRIES;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 5) {
    throw invalid(`${caller}: retries must be an integer from 0 to 5 (default ${DEFAULT_RETRIES}).`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw invalid(`${caller}: fetch must be a function.`);
  const f =
    options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
  if (!f) throw invalid(`${caller}: no fetch is available in this runtime; pass { fetch }.`);
  return { apiKey, baseUrl, timeoutMs, retries, fetch: f };
}

type Attempt = ({ kind: 'response' } & Answer) | { kind: 'redirect' } | { kind: 'network'; error: unknown };

/**
 * How the upstream fetch treats a redirect, given the runtime's `Request`: `'error'` where it is
 * supported (Node, Deno, Bun), else `'manual'` (Cloudflare Workers refuse `'error'`). Both never
 * follow one, so the apiKey header never leaves for another host; `'error'` is also cheaper, since
 * undici copies (tees) the request body before every fetch in any other mode.
 */
export function redirectModeOf(RequestClass: typeof Request | undefined): 'error' | 'manual' {
  if (typeof RequestClass !== 'function') return 'manual';
  try {
    return new RequestClass('http://127.0.0.1/', { redirect: 'error' }).redirect === 'error'
      ? 'error'
      : 'manual';
  } catch {
    return 'manual';
  }
}

let redirectMode: 'error' | 'manual' | undefined;

/** Whether a rejected fetch is the `redirect: 'error'` refusal (its message, or its cause's, says so). */
function isRedirectRefusal(error: unknown): boolean {
  let e = error;
  for (let depth = 0; depth < 3 && e instanceof Error; depth++) {
    if (/redirect/i.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads the body as UTF-8 text, bounded in size, and gives up as soon as `signal` aborts. */
async function readText(res: Response, signal: AbortSignal): Promise<string> {
  const body = res.body;
  if (!body) return '';
  const bytes = await readBounded(body.getReader(), MAX_UPSTREAM_BODY, signal);
  if (bytes === 'too_large') throw new Error(TOO_LARGE_MESSAGE);
  return new TextDecoder().decode(bytes);
}

/**
 * One attempt over `fetch` (the app's, or the runtime's): never follows a redirect (`'error'`
 * where the runtime's `Request` supports it, else `'manual'`, which answers the 3xx itself).
 */
async function send(f: typeof fetch, { method, url, headers, body, signal }: Outgoing): Promise<Answer> {
  redirectMode ??= redirectModeOf(globalThis.Request);
  const init: RequestInit = { method, headers, signal, redirect: redirectMode };
  if (body !== undefined) init.body = body;
  let res: Response;
  try {
    res = await f(url, init);
  } catch (error) {
    if (init.redirect === 'error' && !signal.aborted && isRedirectRefusal(error)) {
      throw new RedirectRefused('The runtime refused a redirect.', { cause: error });
    }
    throw error;
  }
  const text = await readText(res, signal);
  return { status: res.status, header: (name) => res.headers.get(name), text };
}

/** `Retry-After` in seconds (delta or HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), 86_400);
  // An HTTP-date ends in GMT (RFC 9110); anything else (e.g. "-1", "1.5") is not a valid Retry-After.
  const date = /GMT$/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.min(Math.ceil((date - now) / 1000), 86_400));
}

/** An error answer's text and code, from any published body shape (or the raw text when it is not JSON). */
function upstreamError(text: string): { detail: string; code?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the raw text (redacted by the caller)
  }
  const body = readErrorBody(json);
  const detail = (body.message ?? text).replace(/\s+/g, ' ').trim().slice(0, 200);
  return body.code === undefined ? { detail } : { detail, code: body.code.slice(0, 64) };
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Path under the base URL, starting with `/`, query included. */
  path: string;
  body?: unknown;
  /** Aborts the call (e.g. the browser went away); the deadline is separate. */
  signal?: AbortSignal;
}

/** What one upstream call did, for tests and figures: how many attempts it took. */
export interface UpstreamResult {
  json: unknown;
  attempts: number;
}

/**
 * Calls OFAuth and returns the parsed JSON of a 2xx answer, or throws an {@link OflinkServerError}
 * mapped by the table of issue 4. Retries only network errors, 502/503/504 and short 429s.
 */
export async function callUpstream(up: ResolvedUpstream, request: UpstreamRequest): Promise<UpstreamResult> {
  const deadline = AbortSignal.timeout(up.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  return attempts(up, request, signal, () => deadline.aborted);
}

async function attempts(
  up: ResolvedUpstream,
  request: UpstreamRequest,
  signal: AbortSignal,
  pastDeadline: () => boolean,
): Promise<UpstreamResult> {
  const secrets = [up.apiKey];
  const startedAt = Date.now();
  const timedOut = (cause?: unknown) =>
    new OflinkServerError(
      'upstream_timeout',
      504,
      `OFAuth did not answer ${request.method} ${request.path.split('?')[0]} within ${up.timeoutMs} ms.`,
      cause === undefined ? {} : { cause: sanitizeCause(cause, secrets) },
    );
  const aborted = () =>
    new OflinkServerError('upstream_unavailable', 502, 'The upstream call was aborted by the caller.', {
      cause: sanitizeCause(request.signal?.reason, secrets),
    });

  // a User-Agent on every call: some API gateways refuse requests without one
  const headers: Record<string, string> = {
    apiKey: up.apiKey,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  // A redirect is never followed: it would carry the apiKey header elsewhere.
  const sent: Outgoing = {
    method: request.method,
    url: `${up.baseUrl}${request.path}`,
    headers,
    signal,
  };
  if (request.body !== undefined) sent.body = JSON.stringify(request.body);

  for (let attempt = 1; ; attempt++) {
    let outcome: Attempt;
    try {
      outcome = { kind: 'response', ...(await send(up.fetch, sent)) };
    } catch (error) {
      if (pastDeadline()) throw timedOut(error);
      if (request.signal?.aborted) throw aborted();
      outcome = error instanceof RedirectRefused ? { kind: 'redirect' } : { kind: 'network', error };
    }

    const remaining = up.timeoutMs - (Date.now() - startedAt);
    let wait: number | null = null;
    if (outcome.kind === 'redirect') {
      // never retried: the same call would be redirected again
    } else if (outcome.kind === 'network' || [502, 503, 504].includes(outcome.status)) {
      wait = BACKOFF_MS * 2 ** (attempt - 1);
    } else if (outcome.status === 429) {
      const seconds = parseRetryAfter(outcome.header('retry-after')) ?? 1;
      wait = seconds * 1000 <= MAX_RETRY_AFTER_MS ? seconds * 1000 : null;
    }
    if (wait !== null && attempt <= up.retries && wait < remaining) {
      try {
        await sleep(wait, signal);
      } catch (error) {
        if (pastDeadline()) throw timedOut(error);
        throw aborted();
      }
      continue;
    }
    return { json: mapOutcome(outcome, secrets), attempts: attempt };
  }
}

/** A redirect from OFAuth (refused by `redirect: 'error'`, or a 3xx seen with `'manual'`): never followed. */
function redirected(what: string, details?: { upstreamStatus: number }) {
  return new OflinkServerError(
    'upstream_unavailable',
    502,
    `OFAuth answered ${what}, which is never followed (it would carry the apiKey elsewhere).`,
    details,
  );
}

function mapOutcome(outcome: Attempt, secrets: string[]): unknown {
  if (outcome.kind === 'network') {
    throw new OflinkServerError('upstream_unavailable', 502, 'OFAuth could not be reached (network error).', {
      cause: sanitizeCause(outcome.error, secrets),
    });
  }
  if (outcome.kind === 'redirect') throw redirected('with a redirect');
  const { status, header, text } = outcome;
  const error = status >= 300 ? upstreamError(text) : undefined;
  const detail = () => redact(error?.detail ?? '', secrets);
  const details: { upstreamStatus: number; upstreamCode?: string } = { upstreamStatus: status };
  if (error?.code !== undefined) details.upstreamCode = redact(error.code, secrets);
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OflinkServerError(
        'upstream_unavailable',
        502,
        `OFAuth answered ${status} with a body that is not JSON.`,
        details,
      );
    }
  }
  if (status === 401) {
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `OFAuth refused the apiKey (401: ${detail()}). Check OFAUTH_API_KEY.`,
      details,
    );
  }
  if (status === 403) {
    const d = detail();
    if (/limit/i.test(d)) {
      throw new OflinkServerError('limit_reached', 503, `OFAuth refused a new session: ${d}.`, details);
    }
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `OFAuth refused the apiKey for this call (403: ${d}). Check the key's permissions.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfter = parseRetryAfter(header('retry-after')) ?? 1;
    throw new OflinkServerError(
      'rate_limited',
      429,
      `OFAuth rate-limited the call; retry in ${retryAfter} s.`,
      {
        ...details,
        retryAfter,
      },
    );
  }
  if (status >= 400 && status < 500) {
    throw new OflinkServerError(
      'upstream_rejected',
      502,
      `OFAuth rejected the call (${status}: ${detail()}).`,
      details,
    );
  }
  if (status >= 300 && status < 400) throw redirected(`${status}, a redirect`, details);
  throw new OflinkServerError('upstream_unavailable', 502, `OFAuth answered ${status}.`, details);
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
