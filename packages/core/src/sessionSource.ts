import { sessionRequestBody } from '@oflink/protocol';
import { LinkError } from './LinkError';
import {
  DEFAULT_ENDPOINT,
  type FetchSession,
  fetchLinkSession,
  isSessionFresh,
  parseSession,
} from './session';
import type { LinkSession, LinkSessionParams } from './types';

/** Where a controller gets sessions from: a cache that hands out fresh sessions and forgets used ones. */
export interface SessionSource {
  /** A fresh cached session, if there is one (synchronous: used inside the click handler). */
  peek(): LinkSession | undefined;
  /** A fresh session: the cached one, the request in flight, or a new request. */
  get(signal: AbortSignal): Promise<LinkSession>;
  /** Forget the cached session (it was opened: sessions are single-use). */
  discard(): void;
}

/** What a session request needs. */
export interface SessionRequestOptions extends LinkSessionParams {
  /** The app's session endpoint. @defaultValue '/api/oflink/session' */
  endpoint?: string | undefined;
  /** Replaces the endpoint call. */
  fetchSession?: FetchSession | undefined;
}

/**
 * Requests one session with `fetchSession` or the endpoint; failures are {@link LinkError}s.
 *
 * @example
 * const session = await requestSession({ endpoint: '/api/oflink/session' }, new AbortController().signal);
 */
export async function requestSession(o: SessionRequestOptions, signal: AbortSignal): Promise<LinkSession> {
  const params = sessionRequestBody(o);
  if (!o.fetchSession) return fetchLinkSession(o.endpoint ?? DEFAULT_ENDPOINT, params, { signal });
  try {
    return parseSession(await o.fetchSession(params, { signal }));
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError('session_request_failed', e instanceof Error ? e.message : 'fetchSession failed.');
  }
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
