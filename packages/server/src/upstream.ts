// Every call to OFAuth: one deadline for the whole operation (retries, `Retry-After` waits and the
// body included), retries of what may succeed a moment later, no redirect ever followed (it would
// carry the apiKey elsewhere), a bounded answer, and OFAuth's statuses mapped to the package's codes.
import { readErrorBody } from '@oflink/protocol';
import { readBounded } from './boundedRead';
import type { ResolvedUpstream } from './config';
import { OflinkServerError, type OflinkServerErrorCode, redact, sanitizeCause } from './errors';

/** Longest `Retry-After` the server waits out itself; a longer one is answered with 429 at once. */
const MAX_RETRY_AFTER_MS = 2_000;
const BACKOFF_MS = 100;

type Attempt = ({ kind: 'response' } & Answer) | { kind: 'redirect' } | { kind: 'network'; error: unknown };

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

/** One call to OFAuth. */
export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, starting with `/`, query included. */
  path: string;
  body?: unknown;
  /** Aborts the call (e.g. the browser went away); the deadline is separate. */
  signal?: AbortSignal;
}

/** What one upstream call did: the JSON, and how many attempts it took. */
interface UpstreamResult {
  json: unknown;
  attempts: number;
}

/**
 * Calls OFAuth and returns the parsed JSON of a 2xx answer, or throws an {@link OflinkServerError}
 * mapped as the README's error table says. Retries only network errors, 502/503/504 and short 429s.
 * @example
 * const { json } = await callUpstream(upstream, { method: 'GET', path: '/v2/account/connections?limit=1' });
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
  // the deadline passing and the caller aborting both stop the call; each has its own answer
  const stopped = (error: unknown) => {
    if (pastDeadline()) return timedOut(up, request, sanitizeCause(error, secrets));
    return new OflinkServerError(
      'upstream_unavailable',
      502,
      'The upstream call was aborted by the caller.',
      {
        cause: sanitizeCause(request.signal?.reason, secrets),
      },
    );
  };
  const sent = outgoing(up, request, signal);
  for (let attempt = 1; ; attempt++) {
    let outcome: Attempt;
    try {
      outcome = { kind: 'response', ...(await send(up.fetch, sent)) };
    } catch (error) {
      if (pastDeadline() || request.signal?.aborted) throw stopped(error);
      outcome = error instanceof RedirectRefused ? { kind: 'redirect' } : { kind: 'network', error };
    }
    const wait = retryWait(outcome, attempt);
    const remaining = up.timeoutMs - (Date.now() - startedAt);
    if (wait === null || attempt > up.retries || wait >= remaining) {
      return { json: mapOutcome(outcome, secrets), attempts: attempt };
    }
    await sleep(wait, signal).catch((error: unknown) => {
      throw stopped(error);
    });
  }
}

function timedOut(up: ResolvedUpstream, request: UpstreamRequest, cause: unknown): OflinkServerError {
  const what = `${request.method} ${request.path.split('?')[0]}`;
  return new OflinkServerError(
    'upstream_timeout',
    504,
    `OFAuth did not answer ${what} within ${up.timeoutMs} ms.`,
    cause === undefined ? {} : { cause },
  );
}

/** The request as sent on every attempt. A redirect is never followed: it would carry the apiKey header elsewhere. */
function outgoing(up: ResolvedUpstream, request: UpstreamRequest, signal: AbortSignal): Outgoing {
  // a User-Agent on every call: some API gateways refuse requests without one
  const headers: Record<string, string> = {
    apiKey: up.apiKey,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  const sent: Outgoing = { method: request.method, url: `${up.baseUrl}${request.path}`, headers, signal };
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    sent.body = JSON.stringify(request.body);
  }
  return sent;
}

/** How long to wait before attempt `attempt + 1`, or null when this outcome is final. */
function retryWait(outcome: Attempt, attempt: number): number | null {
  // a redirect is never retried: the same call would be redirected again
  if (outcome.kind === 'redirect') return null;
  if (outcome.kind === 'network' || [502, 503, 504].includes(outcome.status)) {
    return BACKOFF_MS * 2 ** (attempt - 1);
  }
  if (outcome.status !== 429) return null;
  const ms = (parseRetryAfter(outcome.header('retry-after')) ?? 1) * 1000;
  return ms <= MAX_RETRY_AFTER_MS ? ms : null;
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

type UpstreamDetails = { upstreamStatus: number; upstreamCode?: string };

/** The JSON of a 2xx answer, or the error the README's table gives for this outcome. */
function mapOutcome(outcome: Attempt, secrets: string[]): unknown {
  if (outcome.kind === 'network') {
    throw new OflinkServerError('upstream_unavailable', 502, 'OFAuth could not be reached (network error).', {
      cause: sanitizeCause(outcome.error, secrets),
    });
  }
  if (outcome.kind === 'redirect') throw redirected('with a redirect');
  const { status, text } = outcome;
  const details: UpstreamDetails = { upstreamStatus: status };
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const message = `OFAuth answered ${status} with a body that is not JSON.`;
      throw new OflinkServerError('upstream_unavailable', 502, message, details);
    }
  }
  const error = upstreamError(text);
  if (error.code !== undefined) details.upstreamCode = redact(error.code, secrets);
  throw statusError(status, redact(error.detail, secrets), details, outcome.header('retry-after'));
}

/** The error for a non-2xx status: the apiKey refused, a limit, a rate limit, a rejection or an outage. */
function statusError(
  status: number,
  detail: string,
  details: UpstreamDetails,
  retryAfterHeader: string | null,
): OflinkServerError {
  const fail = (code: OflinkServerErrorCode, http: number, message: string) =>
    new OflinkServerError(code, http, message, details);
  if (status === 401)
    return fail(
      'server_misconfigured',
      500,
      `OFAuth refused the apiKey (401: ${detail}). Check OFAUTH_API_KEY.`,
    );
  if (status === 403 && /limit/i.test(detail))
    return fail('limit_reached', 503, `OFAuth refused a new session: ${detail}.`);
  if (status === 403) {
    const message = `OFAuth refused the apiKey for this call (403: ${detail}). Check the key's permissions.`;
    return fail('server_misconfigured', 500, message);
  }
  if (status === 429) {
    const retryAfter = parseRetryAfter(retryAfterHeader) ?? 1;
    const message = `OFAuth rate-limited the call; retry in ${retryAfter} s.`;
    return new OflinkServerError('rate_limited', 429, message, { ...details, retryAfter });
  }
  if (status >= 400 && status < 500)
    return fail('upstream_rejected', 502, `OFAuth rejected the call (${status}: ${detail}).`);
  if (status >= 300 && status < 400) return redirected(`${status}, a redirect`, details);
  return fail('upstream_unavailable', 502, `OFAuth answered ${status}.`);
}

// ------------------------------------------------------------------ one attempt

/** The User-Agent OFAuth sees. */
export const USER_AGENT = 'oflink-server';
/** Largest answer body read from OFAuth, in bytes. */
const MAX_UPSTREAM_BODY = 1_000_000;
/** The message of the rejection for a larger body. */
const TOO_LARGE_MESSAGE = 'The upstream response body is larger than 1 MB.';

/** One request to OFAuth, as {@link send} makes it. */
interface Outgoing {
  method: 'GET' | 'POST' | 'DELETE';
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
  const bytes = await readBounded(body.getReader(), MAX_UPSTREAM_BODY, 'cancel', signal);
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
