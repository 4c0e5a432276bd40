// Internal: the one reader of a request body, for every endpoint of the package: bounded in size,
// with one deadline, stopped when the client goes away (request.signal), and never started before
// the caller's checks that need no body passed.
import type { BodySource } from './plainBody';
import { readBounded } from './readBounded';

/** How long a client may take to send the body, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * A signal aborted when the client goes away (`request.signal`) or after `ms`: the body-read
 * deadline. (`AbortSignal.any` would do, but Node 18 lacks it.)
 */
function deadline(parent: AbortSignal | undefined, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('body timeout', 'TimeoutError')), ms);
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/** True when `Content-Length` announces more than `max` bytes (answered before reading anything). */
export function declaredTooLarge(request: Request, max: number): boolean {
  const declared = request.headers.get('content-length');
  return declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > max;
}

/** Rejects with the signal's reason once it aborts. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Reads the request body: from `preread` when the Node adapter provides it, else `request.body`.
 * Answers the bytes, or why there are none: `too_large` past `max`, `timeout` past `timeoutMs`,
 * `unreadable` when the stream failed or the client left.
 */
export async function readRequestBody(
  request: Request,
  max: number,
  timeoutMs: number,
  preread: BodySource = null,
): Promise<Uint8Array | 'too_large' | 'timeout' | 'unreadable'> {
  if (declaredTooLarge(request, max)) {
    request.body?.cancel().catch(() => undefined);
    return 'too_large';
  }
  if (!preread && !request.body) return new Uint8Array(0);
  const limit = deadline(request.signal, timeoutMs);
  try {
    const bytes = preread
      ? await Promise.race([preread(), abortion(limit.signal)])
      : await readBounded((request.body as ReadableStream<Uint8Array>).getReader(), max, limit.signal);
    return bytes !== 'too_large' && bytes.length > max ? 'too_large' : bytes;
  } catch {
    return limit.signal.reason instanceof DOMException && limit.signal.reason.name === 'TimeoutError'
      ? ('timeout' as const)
      : ('unreadable' as const);
  } finally {
    limit.clear();
  }
}
