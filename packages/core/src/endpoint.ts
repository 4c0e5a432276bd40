// The one way the browser calls the app's own endpoints (session, confirm, connections): with its
// cookies, a JSON body when there is one, and every failure a LinkError: `network_error` when the
// endpoint cannot be reached, else the server's own code (a plain identifier only) and message (cut
// to 300 characters), with the HTTP status.
import { readEndpointError } from '@oflink/protocol';
import { say } from './dev';
import { LinkError, type LinkErrorCode } from './LinkError';

/**
 * How long the browser waits for one of the app's endpoints, its answer and its body, before the
 * call fails as `network_error`: a server that stalls (a database that hangs behind it) never leaves
 * an attempt, a confirmation or a list waiting for ever. Generous, so that it never cuts a slow
 * confirmation short (the server pages through OFAuth's list, then may wait for the webhook).
 */
export const ENDPOINT_TIMEOUT_MS = 60_000;

/**
 * Calls one of the app's endpoints and resolves to its JSON answer (null when it has none). A
 * non-2xx answer rejects with a {@link LinkError} carrying the server's `error.code` (else
 * `fallback`) and the status; no answer (or no whole body) within {@link ENDPOINT_TIMEOUT_MS} is a
 * `network_error`; an abort rejects with the abort reason.
 *
 * @example
 * const body = await callEndpoint('/api/oflink/confirm', 'POST', { connectionId }, signal, 'confirm_failed');
 */
export async function callEndpoint(
  endpoint: string,
  method: 'GET' | 'POST' | 'DELETE',
  payload: unknown,
  signal: AbortSignal | undefined,
  fallback: LinkErrorCode,
): Promise<unknown> {
  // the caller's abort, or the deadline (AbortSignal.any is newer than the supported browsers)
  const aborter = new AbortController();
  const abort = () => aborter.abort(signal?.reason);
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort);
  const deadline = setTimeout(abort, ENDPOINT_TIMEOUT_MS);
  try {
    const response = await fetch(endpoint, {
      method,
      credentials: 'same-origin',
      signal: aborter.signal,
      ...(payload === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
    });
    // a non-JSON body: the status speaks; a body cut by an abort is no answer
    const body: unknown = await response.json().catch(() => null);
    aborter.signal.throwIfAborted();
    if (response.ok) return body;
    // the fallback code names the endpoint: session_request_failed, confirm_failed, connections_…
    const what = `The ${fallback.split('_')[0]} endpoint answered ${response.status}.`;
    const { code = fallback, message = what } = readEndpointError(body);
    throw new LinkError(code, message, response.status);
  } catch (cause) {
    // the server's answer, or the caller's abort, as they are; else the endpoint was not there in time
    if (cause instanceof LinkError || signal?.aborted) throw cause;
    const why = aborter.signal.aborted ? 'endpoint_timeout' : 'network_error';
    throw new LinkError('network_error', say(why, endpoint, ENDPOINT_TIMEOUT_MS / 1000));
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener('abort', abort);
  }
}
