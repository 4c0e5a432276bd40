'use client';
import {
  createLinkController,
  type LinkControllerOptions,
  LinkError,
  type LinkSession,
  type LinkState,
} from '@oflink/core';
import {
  DEFAULT_ENDPOINT,
  isSessionFresh,
  type LinkActions,
  requestSession,
  type SessionSource,
  sessionRequestBody,
} from '@oflink/core/internal';
import { type QueryClient, QueryClientContext } from '@tanstack/react-query';
import { useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { CONNECTIONS_KEY_ROOT } from './connectionsKey';

/** Sessions are single-use bearer capabilities: an unused one leaves the cache after this long. */
export const SESSION_GC_TIME_MS = 2 * 60_000;

/** Options of {@link useLinkSession} (and props of `ConnectButton`). */
export interface UseLinkSessionOptions extends LinkControllerOptions {
  /** The react-query client to cache sessions in. @defaultValue the one of the nearest `QueryClientProvider` */
  queryClient?: QueryClient | undefined;
}

/** What {@link useLinkSession} returns: the controller's state with its actions (stable functions). */
export interface UseLinkSessionResult extends LinkState, LinkActions {}

/**
 * The react-query key of a session: endpoint and params, so sessions are never shared across params.
 *
 * @example
 * queryClient.removeQueries({ queryKey: sessionQueryKey({ connectionId: 'conn_1' }) });
 */
export function sessionQueryKey(o: UseLinkSessionOptions): readonly unknown[] {
  return ['oflink', 'session', o.endpoint ?? DEFAULT_ENDPOINT, sessionRequestBody(o)];
}

function querySource(get: () => { options: UseLinkSessionOptions; client: QueryClient }): SessionSource {
  const peek = () => {
    const { options, client } = get();
    const s = client.getQueryData<LinkSession>(sessionQueryKey(options));
    return s && isSessionFresh(s) ? s : undefined;
  };
  return {
    peek,
    get() {
      const { options, client } = get();
      const queryKey = sessionQueryKey(options);
      const state = client.getQueryState<LinkSession>(queryKey);
      if (state?.data && isSessionFresh(state.data)) return Promise.resolve(state.data);
      // a request in flight (or paused offline) is joined; else this one leaves now, before
      // react-query's own work, and react-query's signal (the query removed) still cancels it
      const aborter = new AbortController();
      const early = (state?.fetchStatus ?? 'idle') === 'idle' && requestSession(options, aborter.signal);
      // staleTime 0: a cached but stale session is refetched
      return client.fetchQuery({
        queryKey,
        queryFn: ({ signal }) => {
          signal.onabort = () => aborter.abort();
          return early || requestSession(options, signal);
        },
        staleTime: 0,
        gcTime: SESSION_GC_TIME_MS,
        retry: false,
      });
    },
    discard() {
      const { options, client } = get();
      client.removeQueries({ queryKey: sessionQueryKey(options), exact: true });
    },
  };
}

/**
 * Drives one Link attempt at a time: fetches the session (cached with react-query), opens it as a
 * popup, an embedded modal or a redirect, and reports the validated outcome. Callbacks are read
 * from a ref, so inline functions restart nothing. A success refreshes every `useConnections` list.
 *
 * @example
 * const link = useLinkSession({ mode: 'popup', onSuccess: (o) => confirm(o.connectionId) });
 * return <button type="button" onClick={link.open}>Connect</button>;
 */
export function useLinkSession(options: UseLinkSessionOptions = {}): UseLinkSessionResult {
  const context = useContext(QueryClientContext);
  const client = options.queryClient ?? context;
  if (!client) throw new LinkError('missing_query_client');
  const latest = useRef({ options, client });
  latest.current = { options, client };
  const [controller] = useState(() =>
    createLinkController(
      () => latest.current.options,
      querySource(() => latest.current),
    ),
  );
  const state = useSyncExternalStore(controller.subscribe, controller.getState, controller.getState);
  useEffect(() => {
    // the outcome of a redirect attempt, saved by the callback page, is reported on return
    controller.resume();
    return () => controller.dispose();
  }, [controller]);
  // a new or reconnected connection changes the user's list: every `useConnections` refetches
  const success = state.status === 'success' ? state.outcome : null;
  useEffect(() => {
    if (success) void client.invalidateQueries({ queryKey: CONNECTIONS_KEY_ROOT });
  }, [success, client]);
  const prefetchKey = options.prefetch === true ? JSON.stringify(sessionQueryKey(options)) : null;
  useEffect(() => {
    if (prefetchKey !== null) controller.prefetch();
  }, [controller, prefetchKey]);
  return state;
}
