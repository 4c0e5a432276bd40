// The connection store as the server uses it (the interface `@oflink/connections` implements, and
// the change a webhook applies to it), and `createConnectionsHandler`, the endpoint `useConnections`
// calls: the signed-in user's connections from the store, and a disconnect (OFAuth, then the store).
import {
  type Connection,
  type ConnectionEventType,
  type ConnectionsListBody,
  checkConnectionId,
  type StoredConnection,
  type WebhookConnection,
} from '@oflink/protocol';
import {
  checkHandlerOptions,
  DEFAULT_TIMEOUT_MS,
  deferMissing,
  type ResolvedUpstream,
  resolveUpstream,
  type UpstreamOptions,
} from './config';
import {
  type BrowserEndpointOptions,
  endpointConfig,
  fromStore,
  jsonEndpoint,
  signedInUser,
} from './endpoint';
import { OflinkServerError, refusal } from './errors';
import { callUpstream } from './upstream';

/**
 * A verified `connection.*` webhook event, as a store applies it: the time orders the events of
 * one connection, whatever order they arrive in.
 * @example
 * const change: ConnectionChange = { type: 'connection.expired', timestamp: new Date().toISOString(), connection: { id: 'conn_1', status: 'expired' }, clientReferenceId: null, live: null };
 */
export interface ConnectionChange {
  /** The event type. */
  type: ConnectionEventType;
  /**
   * ISO time of the event, the same on every delivery of it: the body's own time, or the time its
   * message id carries, or OFAuth's `updatedAt` of the connection (see `@oflink/server`'s webhook
   * handler). A change older than the newest one applied to its connection only fills what the
   * record lacks.
   */
  timestamp: string;
  /** The connection as the event carried it (either published shape). */
  connection: WebhookConnection;
  /** The app's own user id the event names, or null (an empty string is no owner). */
  clientReferenceId: string | null;
  /** `true` for a live connection, `false` for a sandbox one, null when the event did not say. */
  live: boolean | null;
}

/**
 * What a store says when it is given a webhook message: `claimed` (the change, if any, is applied
 * now; run the handlers, then settle it), `handled` (applied and handled before, or refused as data
 * that can never be stored: a duplicate), `busy` (another server is handling it at this moment).
 */
export type MessageClaim = 'claimed' | 'handled' | 'busy';

/**
 * How a claimed message ended: `handled` (its handlers succeeded), `failed` (a handler failed: the
 * claim is released so that the sender's retry runs them again; the change stays applied, and
 * applying it again changes nothing), `rejected` (its data can never be stored: it is counted and
 * answered as a duplicate from then on).
 */
export type MessageOutcome = 'handled' | 'failed' | 'rejected';

/**
 * Where an app keeps its users' connections: what the confirm endpoint, the webhook handler and
 * the connections endpoint of `@oflink/server` read and write. `@oflink/connections` implements it
 * on PostgreSQL; any object with these methods works. A method that rejects with an error whose
 * `code` is `invalid_data` refused an input that can never be stored (the webhook handler answers
 * such a message 2xx and reports it); any other rejection is an outage, answered 503
 * `store_unavailable` (the webhook sender then retries).
 * @example
 * const store: ConnectionStore = createConnectionStore(); // from @oflink/connections
 */
export interface ConnectionStore {
  /** Records a connection the server confirmed with OFAuth for this user; resolves to the record. */
  record(
    clientReferenceId: string,
    connection: Connection,
    options?: { live?: boolean | null | undefined },
  ): Promise<StoredConnection>;
  /**
   * Claims a verified webhook message by its id, on every server sharing the store at once, and
   * applies its change (when it has one) in the same transaction.
   */
  claimMessage(messageId: string, change: ConnectionChange | null): Promise<MessageClaim>;
  /** Ends a claimed message (see {@link MessageOutcome}). */
  settleMessage(messageId: string, outcome: MessageOutcome): Promise<void>;
  /**
   * The user's connections (never `disconnected` ones), most recently changed first; with `live`,
   * only the live (`true`) or sandbox (`false`) ones, and those whose kind was never reported.
   */
  list(
    clientReferenceId: string,
    options?: { live?: boolean | null | undefined },
  ): Promise<StoredConnection[]>;
  /** One connection that is not `disconnected`, whoever owns it, or null. */
  find(connectionId: string): Promise<StoredConnection | null>;
  /**
   * Marks a connection `disconnected`: it leaves every list, no later event brings it back, and
   * the OnlyFans profile and permissions are erased from the record. A no-op for an unknown id.
   */
  remove(connectionId: string): Promise<void>;
}

/**
 * Options of {@link createConnectionsHandler}: the store, who the user is, and how to reach OFAuth
 * (for a disconnect).
 * @example
 * const options: ConnectionsHandlerOptions = { store, getClientReferenceId: (request) => userIdFromCookie(request) };
 */
export interface ConnectionsHandlerOptions
  extends Pick<UpstreamOptions, 'apiKey' | 'baseUrl' | 'fetch'>,
    BrowserEndpointOptions {
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
    async ({ request, internal }) => {
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (request.method === 'GET') {
        // a sandbox key lists sandbox connections, a live key live ones (and those never said)
        const live = isLive(settings);
        const connections = await fromStore('list', () => store.list(user, { live }), deadline, [apiKey]);
        return { connections } satisfies ConnectionsListBody;
      }
      const segment = new URL(request.url).pathname.split('/').filter(Boolean).pop() ?? '';
      const id = checkConnectionId(decodeSegment(segment));
      if (!id.ok)
        throw refusal('invalid_request', 400, 'DELETE …/conn_… names the connection to disconnect.');
      const found = await fromStore('find the connection', () => store.find(id.value), deadline, [apiKey]);
      if (!found) throw refusal('connection_not_found', 404, `no ${id.value} in the store`);
      if (found.clientReferenceId !== user)
        throw refusal('connection_not_owned', 403, 'the store names another owner');
      const upstream = settings.get();
      apiKey = upstream.apiKey;
      await disconnectUpstream(upstream, id.value, request.signal);
      await fromStore('remove the connection', () => store.remove(id.value), deadline, [apiKey]);
      return { disconnected: id.value };
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
