import type { ConnectionStore, ConnectionsListBody } from '@oflink/protocol';
import type { ConfirmConnectionOptions } from './confirmConnection';
import { checkHandlerOptions } from './handlerOptions';
import { endpointConfig, jsonEndpoint } from './jsonEndpoint';
import { OflinkServerError } from './OflinkServerError';
import { checkConnectionId } from './sessionParams';
import { type BrowserEndpointOptions, signedInUser } from './signedInUser';
import { fromStore } from './storeCall';
import { callUpstream } from './upstream';
import { deferMissing, type ResolvedUpstream, resolveUpstream } from './upstreamOptions';

/**
 * Options of {@link createConnectionsHandler}: the store, who the user is, and how to reach OFAuth
 * (for a disconnect).
 * @example
 * const options: ConnectionsHandlerOptions = { store, getClientReferenceId: (request) => userIdFromCookie(request) };
 */
export interface ConnectionsHandlerOptions extends ConfirmConnectionOptions, BrowserEndpointOptions {
  /** Where the users' connections are kept, e.g. `createConnectionStore()` of `@oflink/connections`. Required. */
  store: ConnectionStore;
}

/**
 * Creates the connections endpoint `useConnections` calls: a Fetch API handler for the signed-in
 * user's connections, with the same origin rules as `createLinkHandler`.
 * - `GET` answers 200 {@link ConnectionsListBody} `{ connections }`: the user's connections from the
 *   store, most recently changed first (another user's are never there).
 * - `DELETE …/conn_…` disconnects one the user owns: OFAuth's `DELETE /v2/account/connections/{id}`
 *   (a connection OFAuth no longer knows counts as disconnected), then the store; 200
 *   `{ disconnected: "conn_…" }`.
 *
 * Errors are `{ error: { code, message } }`: 400 `invalid_request` (no or a malformed id), 401
 * `unauthenticated`, 403 `forbidden_origin` / `connection_not_owned`, 404 `connection_not_found`,
 * 503 `store_unavailable` when the store fails (nothing was changed), and the upstream codes of
 * the session endpoint when OFAuth fails (the store is then left as it was).
 *
 * @example
 * // app/api/oflink/connections/[[...id]]/route.ts (Next.js App Router)
 * import { createConnectionsHandler } from '@oflink/server';
 * import { store } from '@/lib/connections';
 *
 * const handler = createConnectionsHandler({ store, getClientReferenceId: (request) => userIdFromCookie(request) });
 * export { handler as GET, handler as DELETE };
 */
export function createConnectionsHandler(
  options: ConnectionsHandlerOptions,
): (request: Request) => Promise<Response> {
  checkHandlerOptions(
    options,
    'createConnectionsHandler',
    ['getClientReferenceId', 'onError'],
    ['getClientReferenceId', 'store'],
  );
  const settings = deferMissing(() => resolveUpstream(options, 'createConnectionsHandler'));
  const { store, getClientReferenceId } = options;
  let apiKey = '';
  return jsonEndpoint(
    endpointConfig(options, 'createConnectionsHandler', 0, () => [apiKey], ['GET', 'DELETE']),
    async ({ request, reply, refuse, internal }) => {
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (user === null) return refuse('unauthenticated', 401, 'getClientReferenceId returned no user');
      if (request.method === 'GET') {
        const body: ConnectionsListBody = { connections: await fromStore('list', () => store.list(user)) };
        return reply(200, body);
      }
      const segment = new URL(request.url).pathname.split('/').filter(Boolean).pop() ?? '';
      const id = checkConnectionId(decodeSegment(segment));
      if (!id.ok)
        return refuse('invalid_request', 400, 'DELETE …/conn_… names the connection to disconnect.');
      const found = await fromStore('find the connection', () => store.find(id.value));
      if (!found) return refuse('connection_not_found', 404, `no ${id.value} in the store`);
      if (found.clientReferenceId !== user)
        return refuse('connection_not_owned', 403, 'the store names another owner');
      const upstream = settings.get();
      apiKey = upstream.apiKey;
      await disconnectUpstream(upstream, id.value, request.signal);
      await fromStore('remove the connection', () => store.remove(id.value));
      return reply(200, { disconnected: id.value });
    },
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Ends the connection at OFAuth; one OFAuth no longer knows (404) is already what was asked. */
async function disconnectUpstream(
  upstream: ResolvedUpstream,
  id: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    await callUpstream(upstream, {
      method: 'DELETE',
      path: `/v2/account/connections/${encodeURIComponent(id)}`,
      signal,
    });
  } catch (error) {
    if (error instanceof OflinkServerError && error.upstreamStatus === 404) return;
    throw error;
  }
}
