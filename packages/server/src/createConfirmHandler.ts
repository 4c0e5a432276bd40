import type { ConnectionStore } from '@oflink/protocol';
import { type ConfirmConnectionOptions, confirmConnection } from './confirmConnection';
import { checkHandlerOptions } from './handlerOptions';
import { endpointConfig, jsonEndpoint } from './jsonEndpoint';
import { isPlainObject } from './sessionParams';
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
   * `@oflink/connections`), before `onConfirmed` and the answer. If it fails, the answer is 503
   * `store_unavailable` and the browser does not report a success.
   * @defaultValue undefined
   */
  store?: ConnectionStore;
  /**
   * Runs once OFAuth confirmed the connection for this user, before the answer: store it here. If
   * it throws, the answer is 500 `internal_error` and the browser does not report a success.
   * @defaultValue undefined
   */
  onConfirmed?: (connection: Connection, clientReferenceId: string, request: Request) => unknown;
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
      apiKey = settings.get().apiKey;
      if (!isPlainObject(body) || Object.keys(body).some((k) => k !== 'connectionId'))
        return refuse('invalid_request', 400, 'The body must be { "connectionId": "conn_…" }.');
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (user === null) return refuse('unauthenticated', 401, 'getClientReferenceId returned no user');
      const connection = await confirmConnection(options, {
        connectionId: body.connectionId as string,
        clientReferenceId: user,
        signal: request.signal,
      });
      if (store) await fromStore('record the connection', () => store.record(user, connection), [apiKey]);
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
