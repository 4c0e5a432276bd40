// Internal: the one reader of a request body, for every endpoint of the package: bounded in size,
// with one deadline, stopped when the client goes away (request.signal), and never started before
// the caller's checks that need no body passed. A request body is never cancelled, whatever the
// answer: it belongs to the host's adapter, and React Router's Node listener (among others) exits
// the process when it writes into a stream that was cancelled. Reading stops by releasing it.
import { readBounded } from './readBounded';

/** How long a client may take to send the body, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** True when `Content-Length` announces more than `max` bytes (answered before reading anything). */
export function declaredTooLarge(request: Request, max: number): boolean {
  const declared = request.headers.get('content-length');
  return declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > max;
}

/**
 * Reads `request.body`. Answers the bytes, or why there are none: `too_large` past `max`, `timeout`
 * past `timeoutMs`, `unreadable` when the stream failed or the client left.
 */
export async function readRequestBody(
  request: Request,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | 'too_large' | 'timeout' | 'unreadable'> {
  if (declaredTooLarge(request, max)) return 'too_large';
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let late = false;
  // a plain timer, not a signal: it only has to stop this one read
  const timer = setTimeout(() => {
    late = true;
    reader.releaseLock();
  }, timeoutMs);
  try {
    // the client going away (request.signal) stops the read as the deadline does
    const bytes = await readBounded(reader, max, 'release', request.signal);
    return late ? 'timeout' : bytes;
  } catch {
    return late ? 'timeout' : 'unreadable';
  } finally {
    clearTimeout(timer);
  }
}
