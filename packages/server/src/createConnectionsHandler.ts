import type { ConnectionStore, ConnectionsListBody } from '@oflink/protocol';
import type { ConfirmConnectionOptions } from './confirmConnection';
import { checkHandlerOptions } from './handlerOptions';
import { endpointConfig, jsonEndpoint } from './jsonEndpoint';
import { OflinkServerError } from './OflinkServerError';
import { checkConnectionId } from './sessionParams';
import { type BrowserEndpointOptions, signedInUser } from './signedInUser';
import { fromStore } from './storeCall';
import { callUpstream } from './upstream';
import { DEFAULT_TIMEOUT_MS, deferMissing, type ResolvedUpstream, resolveUpstream } from './upstreamOptions';

/**
 * Options of {@link createConnectionsHandler}: the store, who the user is, and how to reach OFAuth
 * (for a disconnect).
 * @example
 * const options: ConnectionsHandlerOptions = { store, getClientReferenceId: (request) => userIdFromCookie(request) };
 */
export interface ConnectionsHandlerOptions extends ConfirmConnectionOptions, BrowserEndpointOptions {
  /** Where the users' connections are kept, e.g. `createConnectionStore()` of `@oflink/connections`. Required. */
  store: ConnectionStore;
  /** Deadline of each call to OFAuth and to the store, in ms. @defaultValue 10000 */
  timeoutMs?: number | undefined;
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
 * 503 `store_unavailable` when the store fails or does not answer within `timeoutMs`, and the
 * upstream codes of the session endpoint when OFAuth fails (the store is then left as it was). A
 * 503 from a `DELETE` may come after OFAuth already ended the connection: sending the `DELETE`
 * again is safe (OFAuth's 404 counts as done) and then updates the store.
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
  const deadline = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let apiKey = '';
  return jsonEndpoint(
    endpointConfig(options, 'createConnectionsHandler', 0, () => [apiKey], ['GET', 'DELETE']),
    async ({ request, reply, refuse, internal }) => {
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (user === null) return refuse('unauthenticated', 401, 'getClientReferenceId returned no user');
      if (request.method === 'GET') {
        // a sandbox key lists sandbox connections, a live key live ones (and those never said)
        const live = isLive(settings);
        const connections = await fromStore('list', () => store.list(user, { live }), deadline, [apiKey]);
        return reply(200, { connections } satisfies ConnectionsListBody);
      }
      const segment = new URL(request.url).pathname.split('/').filter(Boolean).pop() ?? '';
      const id = checkConnectionId(decodeSegment(segment));
      if (!id.ok)
        return refuse('invalid_request', 400, 'DELETE …/conn_… names the connection to disconnect.');
      const found = await fromStore('find the connection', () => store.find(id.value), deadline, [apiKey]);
      if (!found) return refuse('connection_not_found', 404, `no ${id.value} in the store`);
      if (found.clientReferenceId !== user)
        return refuse('connection_not_owned', 403, 'the store names another owner');
      const upstream = settings.get();
      apiKey = upstream.apiKey;
      await disconnectUpstream(upstream, id.value, request.signal);
      await fromStore('remove the connection', () => store.remove(id.value), deadline, [apiKey]);
      return reply(200, { disconnected: id.value });
    },
  );
}

/** Whether the handler's apiKey is a live one (null while no apiKey is set: then every kind is listed). */
function isLive(settings: { get(): ResolvedUpstream }): boolean | null {
  try {
    return !settings.get().apiKey.startsWith('sk_sandbox_');
  } catch {
    return null;
  }
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
