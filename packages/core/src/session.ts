import { ROUTES, readEndpointError, readHostedSession, sessionRequestBody } from '@oflink/protocol';
import { LinkError } from './LinkError';
import type { LinkSession, LinkSessionParams } from './types';

/** The app's session endpoint when none is given (the `@oflink/server` contract). */
export const DEFAULT_ENDPOINT = ROUTES.session;

/** A session is only opened while it has at least this long left to live. */
export const SESSION_SAFETY_MARGIN_MS = 60_000;

/** A user-supplied way to obtain a session instead of the default endpoint call. */
export type FetchSession = (params: LinkSessionParams, init: { signal: AbortSignal }) => Promise<LinkSession>;

/**
 * True while `session` can still be opened: `expiresAt` minus the safety margin is in the future.
 *
 * @example
 * isSessionFresh({ mode: 'hosted', url, expiresAt: '2030-01-01T00:00:00Z' }); // true
 */
export function isSessionFresh(
  session: LinkSession,
  now: number = Date.now(),
  marginMs = SESSION_SAFETY_MARGIN_MS,
): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isFinite(expires) && expires - marginMs > now;
}

/**
 * Validates a session endpoint's JSON body. A missing `mode` is hosted (older API versions);
 * whitelabel sessions and anything but an http(s) URL are rejected.
 *
 * @example
 * parseSession({ mode: 'hosted', url: 'https://link.ofauth.com/cs_1', expiresAt: '2030-01-01T00:00:00Z' });
 */
export function parseSession(body: unknown): LinkSession {
  const read = readHostedSession(body);
  if (read.ok) return read.session;
  let message = read.problem === 'unsupported_mode' ? `Session mode "${read.mode}".` : 'Invalid session.';
  try {
    // development builds only: bundlers drop this branch from production ones
    if (process.env.NODE_ENV !== 'production')
      message =
        read.problem === 'unsupported_mode'
          ? `The session endpoint returned a "${read.mode}" session; only hosted sessions can be opened.`
          : 'The session endpoint did not return { mode, url, expiresAt }.';
  } catch {
    // native ES modules without a bundler: no process, the short message
  }
  throw new LinkError(
    read.problem === 'unsupported_mode' ? 'unsupported_mode' : 'invalid_session_response',
    message,
  );
}

/**
 * POSTs the params as JSON to the app's session endpoint and returns the validated session.
 * Non-2xx answers throw a {@link LinkError} carrying the server's `error.code` and the HTTP status.
 *
 * @example
 * const session = await fetchLinkSession('/api/oflink/session', { connectionId: 'conn_1' });
 */
export async function fetchLinkSession(
  endpoint: string = DEFAULT_ENDPOINT,
  params: LinkSessionParams = {},
  init: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<LinkSession> {
  const payload = sessionRequestBody(params);
  const { response, body } = await callEndpoint(endpoint, 'POST', payload, init.signal, init.fetch);
  if (!response.ok) throw endpointError(response.status, body, 'session_request_failed', 'session endpoint');
  return parseSession(body);
}

/**
 * Calls one of the app's own endpoints (with its cookies) and reads a JSON answer (null when it has
 * none); a `payload` is sent as a JSON body. An unreachable endpoint is a `network_error`; an abort
 * rejects with the abort reason.
 *
 * @example
 * const { response, body } = await callEndpoint('/api/oflink/confirm', 'POST', { connectionId }, signal);
 */
export async function callEndpoint(
  endpoint: string,
  method: 'GET' | 'POST' | 'DELETE',
  payload?: unknown,
  signal?: AbortSignal,
  fetcher: typeof fetch = fetch,
): Promise<{ response: Response; body: unknown }> {
  let response: Response;
  try {
    response = await fetcher(endpoint, {
      method,
      credentials: 'same-origin',
      signal: signal ?? null,
      ...(payload === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    let message = `${endpoint} could not be reached.`;
    try {
      // development builds only: bundlers drop this branch from production ones
      if (process.env.NODE_ENV !== 'production') message += ' Check the connection and try again.';
    } catch {
      // native ES modules without a bundler: no process, the short message
    }
    throw new LinkError('network_error', message);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // a non-JSON body: the status speaks
  }
  return { response, body };
}

/**
 * The {@link LinkError} for an error answer of the app's endpoint `{ error: { code, message } }`.
 * The code is kept only when it is a plain identifier and the message is cut to 300 characters
 * (an endpoint, or a proxy in front of it, is not trusted to shape what the app shows).
 *
 * @example
 * endpointError(403, { error: { code: 'forbidden_origin', message: '…' } }, 'session_request_failed', 'session endpoint');
 */
export function endpointError(status: number, body: unknown, fallback: string, what: string): LinkError {
  const { code = fallback, message = `The ${what} answered ${status}.` } = readEndpointError(body);
  return new LinkError(code, message, status);
}
