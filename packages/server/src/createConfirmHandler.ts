import type { ConnectionStore } from '@oflink/protocol';
import { type ConfirmConnectionOptions, confirmConnection } from './confirmConnection';
import { checkHandlerOptions } from './handlerOptions';
import { endpointConfig, jsonEndpoint } from './jsonEndpoint';
import { OflinkServerError } from './OflinkServerError';
import { checkConnectionId, isPlainObject } from './sessionParams';
import { type BrowserEndpointOptions, signedInUser } from './signedInUser';
import { fromStore } from './storeCall';
import type { Connection } from './types';
import { deferMissing, resolveUpstream } from './upstreamOptions';

/** Largest accepted body of a confirm request, in bytes (`{ "connectionId": "conn_…" }` is far smaller). */
const MAX_CONFIRM_BODY_BYTES = 1024;

/**
 * Options of {@link createConfirmHandler}: how to reach OFAuth, who the user is, and where to store
 * a confirmed connection.
 * @example
 * const options: ConfirmHandlerOptions = {
 *   getClientReferenceId: (request) => userIdFromCookie(request),
 *   onConfirmed: (connection, userId) => db.connections.save(userId, connection),
 * };
 */
export interface ConfirmHandlerOptions extends ConfirmConnectionOptions, BrowserEndpointOptions {
  /**
   * Where a confirmed connection is recorded for the user (e.g. `createConnectionStore()` of
   * `@oflink/connections`), before `onConfirmed` and the answer. It is read first: a connection a
   * verified `connection.created` webhook already recorded as this user's is confirmed with no call
   * to OFAuth, and past the first 5,000 active connections the confirmation waits a few seconds for
   * that webhook. If the store fails or does not answer within `timeoutMs`, the answer is 503
   * `store_unavailable` and the browser does not report a success.
   * @defaultValue undefined
   */
  store?: ConnectionStore | undefined;
  /**
   * Runs once OFAuth confirmed the connection for this user, before the answer: store it here. If
   * it throws, the answer is 500 `internal_error` and the browser does not report a success.
   * @defaultValue undefined
   */
  onConfirmed?:
    | ((connection: Connection, clientReferenceId: string, request: Request) => unknown)
    | undefined;
}

/**
 * Creates the confirm endpoint the browser calls after Link reported a success (`confirm` of
 * `<ConnectButton>`, `useLinkSession` and `useLinkCallback`): a Fetch API handler that takes
 * `POST { connectionId }` from the app's own origin, asks `getClientReferenceId` who the user is,
 * and confirms with OFAuth (`confirmConnection`) that the connection exists, is active and belongs
 * to that user, before it is recorded in `store` and `onConfirmed` runs. 200 answers `{ connection }`; errors are
 * `{ error: { code, message } }`: 400 `invalid_request`, 401 `unauthenticated`, 403
 * `forbidden_origin` / `connection_not_owned`, 404 `connection_not_found` (also for a connection
 * that is not active), 503 `lookup_limit_reached` / `store_unavailable`, other 5xx for OFAuth failures and `server_misconfigured`. Like
 * `createLinkHandler`, it needs `OFAUTH_API_KEY` only when a request comes.
 *
 * @example
 * // app/api/oflink/confirm/route.ts (Next.js App Router)
 * import { createConfirmHandler } from '@oflink/server';
 *
 * export const POST = createConfirmHandler({
 *   getClientReferenceId: (request) => userIdFromCookie(request),
 *   onConfirmed: (connection, userId) => db.connections.save(userId, connection),
 * });
 */
export function createConfirmHandler(
  options: ConfirmHandlerOptions,
): (request: Request) => Promise<Response> {
  checkHandlerOptions(
    options,
    'createConfirmHandler',
    ['getClientReferenceId', 'onConfirmed', 'onError'],
    ['getClientReferenceId'],
  );
  const settings = deferMissing(() => resolveUpstream(options, 'createConfirmHandler'));
  const { getClientReferenceId, onConfirmed, store } = options;
  let apiKey = '';
  return jsonEndpoint(
    endpointConfig(options, 'createConfirmHandler', MAX_CONFIRM_BODY_BYTES, () => [apiKey]),
    async ({ request, body, reply, refuse, internal }) => {
      const upstream = settings.get();
      apiKey = upstream.apiKey;
      if (!isPlainObject(body) || Object.keys(body).some((k) => k !== 'connectionId'))
        return refuse('invalid_request', 400, 'The body must be { "connectionId": "conn_…" }.');
      const id = checkConnectionId(body.connectionId);
      if (!id.ok) return refuse('invalid_request', 400, id.message);
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (user === null) return refuse('unauthenticated', 401, 'getClientReferenceId returned no user');
      const recorded = store ? new Recorded(store, id.value, user, upstream.timeoutMs, apiKey) : null;
      // a connection a verified webhook already recorded needs no call to OFAuth
      const known = await recorded?.read();
      if (known === 'not_owned') return refuse('connection_not_owned', 403, 'the store names another owner');
      const connection =
        known ??
        (await confirmOrAwaitWebhook(
          options,
          { connectionId: id.value, user, signal: request.signal },
          recorded,
        ));
      if (store && !known)
        await fromStore(
          'record the connection',
          () => store.record(user, connection, { live: !apiKey.startsWith('sk_sandbox_') }),
          upstream.timeoutMs,
          [apiKey],
        );
      if (onConfirmed) {
        try {
          await onConfirmed(connection, user, request);
        } catch (error) {
          throw internal('onConfirmed threw.', error);
        }
      }
      return reply(200, { connection });
    },
  );
}

/** How long a confirmation past the listing's reach waits for the connection's `connection.created` webhook. */
const WEBHOOK_WAIT_MS = 8_000;
const WEBHOOK_POLL_MS = 250;

/**
 * The confirmation from OFAuth's list; past the first 5,000 active connections, with a store, the
 * `connection.created` webhook that records the connection for this user, awaited briefly.
 */
async function confirmOrAwaitWebhook(
  options: ConfirmHandlerOptions,
  { connectionId, user, signal }: { connectionId: string; user: string; signal: AbortSignal },
  recorded: Recorded | null,
): Promise<Connection> {
  try {
    return await confirmConnection(options, { connectionId, clientReferenceId: user, signal });
  } catch (error) {
    if (!(recorded && error instanceof OflinkServerError && error.code === 'lookup_limit_reached'))
      throw error;
    for (let waited = 0; waited < WEBHOOK_WAIT_MS && !signal.aborted; waited += WEBHOOK_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, WEBHOOK_POLL_MS));
      const known = await recorded.read();
      if (known === 'not_owned')
        throw new OflinkServerError('connection_not_owned', 403, 'The store names another owner.');
      if (known) return known;
    }
    throw error;
  }
}

/** The store's record of one connection, as a confirmation reads it. */
class Recorded {
  constructor(
    private readonly store: ConnectionStore,
    private readonly id: string,
    private readonly user: string,
    private readonly timeoutMs: number,
    private readonly apiKey: string,
  ) {}

  /**
   * The connection when the store records it active for this user with its profile (as a verified
   * `connection.created` event or an earlier confirmation left it), `not_owned` when it records
   * another owner, else null (OFAuth decides).
   */
  async read(): Promise<Connection | 'not_owned' | null> {
    const found = await fromStore('find the connection', () => this.store.find(this.id), this.timeoutMs, [
      this.apiKey,
    ]);
    if (!found || found.clientReferenceId === null) return null;
    if (found.clientReferenceId !== this.user) return 'not_owned';
    if (found.status !== 'active' || !found.userData) return null;
    return {
      id: found.id,
      status: 'active',
      userData: found.userData,
      permissions: found.permissions,
      expiredAt: null,
      createdAt: found.createdAt ?? found.updatedAt,
      updatedAt: found.updatedAt,
      clientReferenceId: this.user,
      imported: false,
      lastCheckedAt: null,
    };
  }
}
