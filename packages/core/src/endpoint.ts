// The one way the browser calls the app's own endpoints (session, confirm, connections): with its
// cookies, a JSON body when there is one, and every failure a LinkError: `network_error` when the
// endpoint cannot be reached, else the server's own code (a plain identifier only) and message (cut
// to 300 characters), with the HTTP status. Its deadline bounds the app's own functions that stand
// in for an endpoint (`fetchSession`, `confirm`) too.
import { readEndpointError } from '@oflink/protocol';
import { say } from './dev';
import { LinkError, type LinkErrorCode } from './LinkError';

/**
 * How long the browser waits for one of the app's endpoints, its answer and its body, or for a
 * function of the app's standing in for one (`fetchSession`, `confirm`), before the call fails as
 * `network_error`: a server that stalls (a database that hangs behind it) never leaves an attempt,
 * a confirmation or a list waiting for ever. Generous, so that it never cuts a slow confirmation
 * short (the server pages through OFAuth's list, then may wait for the webhook).
 */
export const ENDPOINT_TIMEOUT_MS = 60_000;

/**
 * Runs `run` (at once, in the caller's task) with a signal that aborts at the caller's abort or at
 * the deadline, and settles with it or at that abort, whichever comes first: a function that
 * ignores its signal still cannot hold its caller past {@link ENDPOINT_TIMEOUT_MS}. The deadline
 * rejects with a `network_error` naming `name`; the caller's abort with its own reason.
 *
 * @example
 * await withDeadline('fetchSession', signal, (s) => fetchSession(params, { signal: s }));
 */
export function withDeadline<T>(
  name: string,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal) => T | PromiseLike<T>,
): Promise<T> {
  // the caller's abort, or the deadline (AbortSignal.any is newer than the supported browsers)
  const aborter = new AbortController();
  const abort = () => aborter.abort(signal?.reason);
  const deadline = setTimeout(
    () =>
      aborter.abort(
        new LinkError('network_error', say('endpoint_timeout', name, ENDPOINT_TIMEOUT_MS / 1000)),
      ),
    ENDPOINT_TIMEOUT_MS,
  );
  signal?.addEventListener('abort', abort);
  return new Promise<T>((resolve, reject) => {
    const s = aborter.signal;
    s.addEventListener('abort', () => reject(s.reason));
    if (signal?.aborted) abort();
    // a synchronous throw rejects through the executor
    Promise.resolve(run(s)).then(resolve, reject);
  }).finally(() => {
    clearTimeout(deadline);
    signal?.removeEventListener('abort', abort);
  });
}

/**
 * Calls one of the app's endpoints and resolves to its JSON answer (null when it has none). A
 * non-2xx answer rejects with a {@link LinkError} carrying the server's `error.code` (else
 * `fallback`) and the status; an endpoint that cannot be reached, or gives no answer (or no whole
 * body) within {@link ENDPOINT_TIMEOUT_MS}, is a `network_error`; an abort rejects with the abort
 * reason.
 *
 * @example
 * const body = await callEndpoint('/api/oflink/confirm', 'POST', { connectionId }, signal, 'confirm_failed');
 */
export function callEndpoint(
  endpoint: string,
  method: 'GET' | 'POST' | 'DELETE',
  payload: unknown,
  signal: AbortSignal | undefined,
  fallback: LinkErrorCode,
): Promise<unknown> {
  return withDeadline(endpoint, signal, async (s) => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method,
        credentials: 'same-origin',
        signal: s,
        ...(payload === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
      });
    } catch {
      // an abort has settled the call already; anything else never reached the server
      throw new LinkError('network_error', say('network_error', endpoint));
    }
    // a non-JSON body: the status speaks; a body cut short by the deadline reads as null here, but
    // the call has failed already
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return body;
    // the fallback code names the endpoint: session_request_failed, confirm_failed, connections_…
    const what = `The ${fallback.split('_')[0]} endpoint answered ${response.status}.`;
    const { code = fallback, message = what } = readEndpointError(body);
    throw new LinkError(code, message, response.status);
  });
}
