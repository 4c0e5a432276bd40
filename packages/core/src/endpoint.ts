// The one way the browser calls the app's own endpoints (session, confirm, connections): with its
// cookies, a JSON body when there is one, and every failure a LinkError: `network_error` when the
// endpoint cannot be reached, else the server's own code (a plain identifier only) and message (cut
// to 300 characters), with the HTTP status.
import { readEndpointError } from '@oflink/protocol';
import { say } from './dev';
import { LinkError, type LinkErrorCode } from './LinkError';

/**
 * Calls one of the app's endpoints and resolves to its JSON answer (null when it has none). A
 * non-2xx answer rejects with a {@link LinkError} carrying the server's `error.code` (else
 * `fallback`) and the status; an abort rejects with the abort reason.
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
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method,
      credentials: 'same-origin',
      signal: signal ?? null,
      ...(payload === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new LinkError('network_error', say('network_error', endpoint));
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // a non-JSON body: the status speaks
  }
  if (response.ok) return body;
  // the fallback code names the endpoint: session_request_failed, confirm_failed, connections_…
  const what = `The ${fallback.split('_')[0]} endpoint answered ${response.status}.`;
  const { code = fallback, message = what } = readEndpointError(body);
  throw new LinkError(code, message, response.status);
}
