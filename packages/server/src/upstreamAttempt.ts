// Internal: one attempt to reach OFAuth over fetch: never a redirect followed, a bounded body,
// stopped by the signal. Retries and the status map are upstream.ts's.
import { readBounded } from './readBounded';

/** The User-Agent OFAuth sees. */
export const USER_AGENT = 'oflink-server';
/** Largest answer body read from OFAuth, in bytes. */
export const MAX_UPSTREAM_BODY = 1_000_000;
/** The message of the rejection for a larger body. */
const TOO_LARGE_MESSAGE = 'The upstream response body is larger than 1 MB.';

/** One request to OFAuth, as {@link send} makes it. */
export interface Outgoing {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** JSON text, when the call has a body. */
  body?: string;
  /** Aborted at the deadline or by the caller. */
  signal: AbortSignal;
}

/** What OFAuth answered: a 3xx comes back as it is, never followed. */
export interface Answer {
  status: number;
  header(name: string): string | null;
  /** The body as UTF-8 text (at most {@link MAX_UPSTREAM_BODY} bytes). */
  text: string;
}

/** The rejection when the runtime itself refused a redirect (fetch with `redirect: 'error'`). */
export class RedirectRefused extends Error {}

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

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
export async function send(
  f: typeof fetch,
  { method, url, headers, body, signal }: Outgoing,
): Promise<Answer> {
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
