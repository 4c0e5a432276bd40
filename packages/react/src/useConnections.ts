'use client';
import { LinkError } from '@oflink/core';
import { asLinkError, callEndpoint, ROUTES } from '@oflink/core/internal';
import { type QueryClient, QueryClientContext, useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useContext, useMemo } from 'react';
import { connectionsQueryKey } from './connectionsKey';
import { type ConnectionView, readConnections } from './connectionView';

/**
 * Options of {@link useConnections}.
 * @example
 * const options: UseConnectionsOptions = { endpoint: '/api/oflink/connections', refetchInterval: 30_000 };
 */
export interface UseConnectionsOptions {
  /** The app's connections endpoint (`createConnectionsHandler`). @defaultValue '/api/oflink/connections' */
  endpoint?: string | undefined;
  /** The react-query client. @defaultValue the one of the nearest `QueryClientProvider` */
  queryClient?: QueryClient | undefined;
  /** Refetch the list this often, in ms (webhooks change it on the server). @defaultValue false */
  refetchInterval?: number | false | undefined;
  /** Whether to fetch at all (e.g. only once the user signed in). @defaultValue true */
  enabled?: boolean | undefined;
  /** Told about every failed disconnect. @defaultValue undefined */
  onError?: ((error: LinkError) => void) | undefined;
}

/**
 * What {@link useConnections} returns.
 * @example
 * const { connections, status, disconnect } = useConnections();
 */
export interface UseConnectionsResult {
  /** The signed-in user's connections, most recently changed first (empty until loaded). */
  connections: ConnectionView[];
  /** `pending` until the first answer, then `success`, or `error` while the list cannot be read. */
  status: 'pending' | 'error' | 'success';
  /** Why the list could not be read (`unauthenticated`, `store_unavailable`, `network_error`, …). */
  error: LinkError | null;
  /** Whether a request for the list is in flight (also a background refresh). */
  isFetching: boolean;
  /** Fetches the list again. */
  refresh(): Promise<void>;
  /**
   * Disconnects one of the user's connections. It is marked `disconnecting` at once and leaves the
   * list when the server answered; resolves `true` then. On a failure the mark is taken back, the
   * {@link LinkError} (`connection_not_owned`, `upstream_unavailable`, …) goes to `disconnectError`
   * and `onError`, and it resolves `false`: it never rejects, so a click handler needs no `catch`.
   */
  disconnect(connectionId: string): Promise<boolean>;
  /** The failure of the last `disconnect`, until the next one starts. */
  disconnectError: LinkError | null;
}

async function fetchList(endpoint: string, signal: AbortSignal): Promise<ConnectionView[]> {
  const body = await callEndpoint(endpoint, 'GET', undefined, signal, 'connections_request_failed');
  const list = readConnections(body);
  if (!list)
    throw new LinkError(
      'connections_request_failed',
      'The connections endpoint answered without { connections }.',
    );
  return list;
}

async function deleteOne(endpoint: string, id: string): Promise<void> {
  await callEndpoint(
    `${endpoint}/${encodeURIComponent(id)}`,
    'DELETE',
    undefined,
    undefined,
    'connections_request_failed',
  );
}

const asConnectionsError = (error: unknown): LinkError => asLinkError(error, 'connections_request_failed');

const mark = (list: ConnectionView[], id: string, disconnecting: boolean) =>
  list.map((c) => (c.id === id ? { ...c, disconnecting } : c));

/**
 * The signed-in user's OFAuth connections, from the app's connections endpoint, on react-query:
 * the list with a `needsReconnect` flag on each (reconnect with `<ConnectButton connectionId={c.id}>`),
 * and `disconnect(id)` with an optimistic mark and a rollback on failure. Any successful connect
 * of `ConnectButton` or `useLinkSession` under the same client refreshes it. Nothing is fetched
 * during server rendering.
 *
 * @example
 * function Accounts() {
 *   const { connections, disconnect } = useConnections();
 *   return connections.map((c) =>
 *     c.needsReconnect ? (
 *       <ConnectButton key={c.id} connectionId={c.id}>Reconnect @{c.userData?.username}</ConnectButton>
 *     ) : (
 *       <button key={c.id} type="button" disabled={c.disconnecting} onClick={() => disconnect(c.id)}>Disconnect</button>
 *     ),
 *   );
 * }
 */
export function useConnections(options: UseConnectionsOptions = {}): UseConnectionsResult {
  const context = useContext(QueryClientContext);
  const client = options.queryClient ?? context;
  if (!client)
    throw new LinkError(
      'missing_query_client',
      '`useConnections` must be used inside a `QueryClientProvider`, or be given a `queryClient` option.',
    );
  const endpoint = options.endpoint ?? ROUTES.connections;
  const query = useQuery(
    {
      queryKey: connectionsQueryKey(endpoint),
      queryFn: ({ signal }) => fetchList(endpoint, signal),
      refetchInterval: options.refetchInterval ?? false,
      enabled: options.enabled ?? true,
      // an endpoint's refusal (4xx) is the same when asked again; a failing store may recover
      retry: (count, error) =>
        count < 2 && !(error instanceof LinkError && error.status !== undefined && error.status < 500),
    },
    client,
  );
  const { disconnect, error: disconnectError } = useDisconnect(client, endpoint, options.onError);
  const { refetch } = query;
  const refresh = useCallback(async () => {
    await refetch();
  }, [refetch]);
  return useMemo(
    () => ({
      connections: query.data ?? [],
      status: query.status,
      error: query.error ? asConnectionsError(query.error) : null,
      isFetching: query.isFetching,
      refresh,
      disconnect,
      disconnectError,
    }),
    [query.data, query.status, query.error, query.isFetching, refresh, disconnect, disconnectError],
  );
}

/** `disconnect(id)`: the row marked at once, removed on success, the mark taken back on a failure. */
function useDisconnect(client: QueryClient, endpoint: string, onError: UseConnectionsOptions['onError']) {
  const queryKey = connectionsQueryKey(endpoint);
  const update = (change: (list: ConnectionView[]) => ConnectionView[]) =>
    client.setQueryData<ConnectionView[]>(queryKey, (list) => list && change(list));
  const mutation = useMutation(
    {
      mutationFn: (id: string) => deleteOne(endpoint, id),
      onMutate: async (id) => {
        await client.cancelQueries({ queryKey });
        update((list) => mark(list, id, true));
      },
      onSuccess: (_result, id) => update((list) => list.filter((c) => c.id !== id)),
      onError: (_error, id) => update((list) => mark(list, id, false)),
      onSettled: () => client.invalidateQueries({ queryKey }),
    },
    client,
  );
  const { mutateAsync } = mutation;
  const disconnect = useCallback(
    (id: string) =>
      mutateAsync(id).then(
        () => true,
        (error: unknown) => {
          onError?.(asConnectionsError(error));
          return false;
        },
      ),
    [mutateAsync, onError],
  );
  return { disconnect, error: mutation.error ? asConnectionsError(mutation.error) : null };
}
