// Confirmation: the callback's `connection_id` is unsigned URL data, so before the app trusts it,
// `confirmConnection` finds it in OFAuth's list of the account's active connections and checks its
// owner, and `createConfirmHandler` is the endpoint the browser calls for that (reading the store
// first, recording the result in it).
import {
  type Connection,
  checkClientReferenceId,
  checkConfirmBody,
  checkConnectionId,
} from '@oflink/protocol';
import { checkHandlerOptions, deferMissing, resolveUpstream } from './config';
import { lookupConnection, MAX_PAGES } from './connectionLookup';
import type { ConnectionStore } from './connections';
import {
  type BrowserEndpointOptions,
  endpointConfig,
  fromStore,
  jsonEndpoint,
  signedInUser,
} from './endpoint';
import { OflinkServerError, refusal } from './errors';

/**
 * Options of {@link confirmConnection}: how to reach OFAuth.
 * @example
 * const options: ConfirmConnectionOptions = { baseUrl: 'https://api.ofauth.com', timeoutMs: 5000 };
 */
export interface ConfirmConnectionOptions {
  /** OFAuth secret key. @defaultValue `process.env.OFAUTH_API_KEY` */
  apiKey?: string | undefined;
  /** OFAuth API base URL. @defaultValue 'https://api.ofauth.com' */
  baseUrl?: string | undefined;
  /** Deadline of each page request (retries included), in ms. @defaultValue 10000 */
  timeoutMs?: number | undefined;
  /**
   * The `fetch` used to reach OFAuth.
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch | undefined;
}

/**
 * What to confirm: the `connection_id` from the callback URL and your signed-in user's id.
 * @example
 * const params: ConfirmConnectionParams = { connectionId: 'conn_abc', clientReferenceId: user.id };
 */
export interface ConfirmConnectionParams {
  /** The `conn_…` id, e.g. from the callback URL (unsigned: anyone can type it). */
  connectionId: string;
  /** Your id of the signed-in user, the one given as `clientReferenceId` when the session was created. */
  clientReferenceId: string;
  /** Aborts the lookup. */
  signal?: AbortSignal | undefined;
}

/**
 * Confirmations in flight, by account and user: the same user asking again for the same id shares
 * the lookup (a page that confirms twice), another id is refused with 429 until the first one
 * ends, so that one visitor cannot queue many lookups.
 */
const inFlight = new Map<string, { id: string; result: Promise<Connection> }>();

/**
 * Confirms a connection reported by the browser before the app trusts it. The callback's
 * `connection_id` is unsigned URL data, so this pages through the account's active connections
 * (`GET /v2/account/connections?status=active`, 100 per page, whatever order OFAuth lists them in)
 * and returns the connection only if its id is there and its `clientReferenceId` equals the one
 * given. Bounds: one account's lookups share one pass over the pages (each waits for at most 50
 * pages: the first 5,000 active connections), at most 100 wait on it, and one user has one
 * confirmation in flight (the same id asked again shares it). Otherwise it throws an
 * {@link OflinkServerError}: `connection_not_found` (404, also for a connection that is not
 * active), `connection_not_owned` (403), `lookup_limit_reached` (503) past 5,000 active
 * connections, `rate_limited` (429) for another id of the same user meanwhile or too many lookups
 * waiting, `invalid_request` (400) for a malformed id, or the upstream codes of the session
 * endpoint (`server_misconfigured`, `upstream_unavailable`, `upstream_timeout`, …).
 *
 * @param options - `{ apiKey?, baseUrl?, timeoutMs?, fetch? }`; the apiKey defaults to `OFAUTH_API_KEY`.
 * @param params - `{ connectionId, clientReferenceId, signal? }`.
 *
 * @example
 * import { confirmConnection, OflinkServerError } from '@oflink/server';
 *
 * export async function POST(request: Request) {
 *   const { connectionId } = await request.json();
 *   try {
 *     const connection = await confirmConnection({}, { connectionId, clientReferenceId: await currentUserId(request) });
 *     return Response.json({ connection });
 *   } catch (error) {
 *     if (error instanceof OflinkServerError) {
 *       return Response.json({ error: { code: error.code, message: 'Not confirmed.' } }, { status: error.status });
 *     }
 *     throw error;
 *   }
 * }
 */
export async function confirmConnection(
  options: ConfirmConnectionOptions,
  params: ConfirmConnectionParams,
): Promise<Connection> {
  const upstream = resolveUpstream(options ?? {}, 'confirmConnection');
  if (params === null || typeof params !== 'object') {
    throw new OflinkServerError(
      'invalid_request',
      400,
      'confirmConnection: pass { connectionId, clientReferenceId }.',
    );
  }
  const id = checkConnectionId(params.connectionId);
  if (!id.ok) throw new OflinkServerError('invalid_request', 400, `confirmConnection: ${id.message}`);
  const ref = checkClientReferenceId(params.clientReferenceId);
  if (!ref.ok) throw new OflinkServerError('invalid_request', 400, `confirmConnection: ${ref.message}`);
  const key = `${upstream.baseUrl}\n${upstream.apiKey}\n${ref.value}`;
  const running = inFlight.get(key);
  if (running?.id === id.value) return running.result;
  if (running) {
    const message = 'Another confirmation of this user is still running.';
    throw new OflinkServerError('rate_limited', 429, message, { retryAfter: 1 });
  }
  const result = (async () => {
    const found = await lookupConnection(upstream, id.value, { activeOnly: true, signal: params.signal });
    if (found === 'not_found') {
      const message = 'No active connection with this id exists for the apiKey.';
      throw new OflinkServerError('connection_not_found', 404, message);
    }
    if (found === 'limit')
      throw new OflinkServerError(
        'lookup_limit_reached',
        503,
        `The connection is not among the first ${MAX_PAGES * 100} active connections of the account; confirm it from a verified connection.created webhook instead (the store option).`,
      );
    return owned(found, ref.value);
  })().finally(() => inFlight.delete(key));
  inFlight.set(key, { id: id.value, result });
  return result;
}

/** The connection, when it is the user's (an inactive one was never listed). */
function owned(connection: Connection, clientReferenceId: string): Connection {
  if ((connection.clientReferenceId ?? null) !== clientReferenceId) {
    throw new OflinkServerError(
      'connection_not_owned',
      403,
      'The connection belongs to another user (clientReferenceId differs).',
    );
  }
  return connection;
}

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
    async ({ request, body: raw, internal }) => {
      const upstream = settings.get();
      apiKey = upstream.apiKey;
      const body = checkConfirmBody(raw);
      if (!body.ok) throw refusal('invalid_request', 400, body.message);
      const { connectionId } = body.value;
      const user = await signedInUser(request, getClientReferenceId, internal);
      const recorded = store ? new Recorded(store, connectionId, user, upstream.timeoutMs, apiKey) : null;
      // a connection a verified webhook already recorded needs no call to OFAuth
      const known = await recorded?.read();
      if (known === 'not_owned') throw refusal('connection_not_owned', 403, 'the store names another owner');
      const connection =
        known ??
        (await confirmOrAwaitWebhook(options, { connectionId, user, signal: request.signal }, recorded));
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
      return { connection };
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

// ------------------------------------------------------------------ the lookup in OFAuth's list
