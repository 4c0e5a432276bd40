// Sessions: the app's endpoint asked for one (or the app's own `fetchSession`), its answer checked,
// and the cache a controller takes them from: one fresh session per endpoint and params, one request
// in flight, each session opened once.
import { type LinkSession, ROUTES, readHostedSession, sessionRequestBody } from '@oflink/protocol';
import { say } from './dev';
import { callEndpoint, withDeadline } from './endpoint';
import { asLinkError, LinkError } from './LinkError';
import type { SessionRequestOptions, SessionSource } from './types';

/** The app's session endpoint when none is given (the `@oflink/server` contract). */
export const DEFAULT_ENDPOINT = ROUTES.session;

/** A session is only opened while it has at least this long left to live. */
export const SESSION_SAFETY_MARGIN_MS = 60_000;

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
 * Requests one session, with `fetchSession` or from the app's endpoint (a JSON POST of the params),
 * and validates the answer: a missing `mode` is hosted (older API versions); whitelabel sessions
 * and anything but an http(s) URL are refused. Every failure is a {@link LinkError}: the server's
 * `error.code` and HTTP status, `network_error`, `unsupported_mode`, `invalid_session_response`;
 * an abort rejects with the abort reason.
 *
 * @example
 * const session = await requestSession({ endpoint: '/api/oflink/session' }, new AbortController().signal);
 */
export async function requestSession(o: SessionRequestOptions, signal: AbortSignal): Promise<LinkSession> {
  const params = sessionRequestBody(o);
  const { fetchSession } = o;
  let body: unknown;
  try {
    // called here and now, so the request leaves in the click; a plain value or a throw is fine too
    body = await (fetchSession
      ? withDeadline('fetchSession', signal, (s) => fetchSession(params, { signal: s }))
      : callEndpoint(o.endpoint ?? DEFAULT_ENDPOINT, 'POST', params, signal, 'session_request_failed'));
  } catch (e) {
    // the endpoint's failures are LinkErrors already, and its abort keeps its reason
    throw fetchSession ? asLinkError(e, 'session_request_failed') : e;
  }
  const read = readHostedSession(body);
  if (read.ok) return read.session;
  throw read.problem === 'unsupported_mode'
    ? new LinkError('unsupported_mode', say('unsupported_mode', read.mode))
    : new LinkError('invalid_session_response');
}

/**
 * A framework-free {@link SessionSource}: one cached session per params, one request in flight.
 * `@oflink/react` uses a react-query backed source instead.
 *
 * @example
 * const source = createSessionCache(() => ({ endpoint: '/api/oflink/session' }));
 */
export function createSessionCache(getOptions: () => SessionRequestOptions): SessionSource {
  let cached: { key: string; session: LinkSession } | null = null;
  let inflight: { key: string; promise: Promise<LinkSession> } | null = null;
  const keyOf = () => {
    const o = getOptions();
    return JSON.stringify([o.endpoint ?? DEFAULT_ENDPOINT, sessionRequestBody(o)]);
  };
  const peek = () => {
    const key = keyOf();
    return cached && cached.key === key && isSessionFresh(cached.session) ? cached.session : undefined;
  };
  return {
    peek,
    get() {
      const hit = peek();
      if (hit) return Promise.resolve(hit);
      const key = keyOf();
      if (inflight?.key === key) return inflight.promise;
      // one request shared by every caller: it is not aborted when one of them goes away
      const promise = requestSession(getOptions(), new AbortController().signal).then(
        (session) => {
          if (inflight?.promise === promise) inflight = null;
          cached = { key, session };
          return session;
        },
        (e: unknown) => {
          if (inflight?.promise === promise) inflight = null;
          throw e;
        },
      );
      inflight = { key, promise };
      return promise;
    },
    discard() {
      cached = null;
    },
  };
}
