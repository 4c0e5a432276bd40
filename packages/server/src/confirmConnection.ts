import { OflinkServerError } from './OflinkServerError';
import { checkClientReferenceId, checkConnectionId, isPlainObject } from './sessionParams';
import type { Connection } from './types';
import { callUpstream } from './upstream';
import { type ResolvedUpstream, resolveUpstream } from './upstreamOptions';

/**
 * Options of {@link confirmConnection}: how to reach OFAuth.
 * @example
 * const options: ConfirmConnectionOptions = { baseUrl: 'https://api.ofauth.com', timeoutMs: 5000 };
 */
export interface ConfirmConnectionOptions {
  /** OFAuth secret key. @defaultValue `process.env.OFAUTH_API_KEY` */
  apiKey?: string;
  /** OFAuth API base URL. @defaultValue 'https://api.ofauth.com' */
  baseUrl?: string;
  /** Deadline of each page request (retries included), in ms. @defaultValue 10000 */
  timeoutMs?: number;
  /**
   * The `fetch` used to reach OFAuth.
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch;
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
  signal?: AbortSignal;
}

/** Page size of the listing (the API's maximum). */
const PAGE_SIZE = 100;
/** Listing calls one confirmation may make: 50 × 100 = the first 5,000 active connections. */
export const MAX_PAGES = 50;

/**
 * One account's confirmations run one after another, so a confirm route cannot fan out into
 * parallel listings however fast it is called; the same id asked again meanwhile shares the lookup.
 */
const queues = new Map<string, Promise<unknown>>();
const lookups = new Map<string, Promise<Connection>>();

function oneAtATime<T>(account: string, id: string, run: () => Promise<T>): Promise<T> {
  const key = `${account}\n${id}`;
  const joined = lookups.get(key);
  if (joined) return joined as Promise<T>;
  const previous = queues.get(account) ?? Promise.resolve();
  const mine = previous.then(run, run);
  const tail = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(account, tail);
  lookups.set(key, mine as Promise<Connection>);
  void tail.then(() => {
    if (queues.get(account) === tail) queues.delete(account);
    lookups.delete(key);
  });
  return mine;
}

function isConnection(value: unknown): value is Connection {
  return (
    isPlainObject(value) &&
    typeof value.id === 'string' &&
    typeof value.status === 'string' &&
    (value.clientReferenceId === null ||
      value.clientReferenceId === undefined ||
      typeof value.clientReferenceId === 'string')
  );
}

/**
 * Confirms a connection reported by the browser before the app trusts it. The callback's
 * `connection_id` is unsigned URL data, so this pages through the account's active connections
 * (`GET /v2/account/connections?status=active`, 100 per page, whatever order OFAuth lists them in)
 * and returns the connection only if its id is there and its `clientReferenceId` equals the one
 * given. Bounds: at most 50 listing calls (the first 5,000 active connections), and one account's
 * confirmations run one at a time. Otherwise it throws an {@link OflinkServerError}:
 * `connection_not_found` (404, also for a connection that is not active), `connection_not_owned`
 * (403), `lookup_limit_reached` (503) past 5,000 active connections, `invalid_request` (400) for a
 * malformed id, or the upstream codes of the session endpoint (`server_misconfigured`,
 * `upstream_unavailable`, `upstream_timeout`, …).
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
  return oneAtATime(`${upstream.baseUrl}\n${upstream.apiKey}`, id.value, async () =>
    owned(await findActive(upstream, id.value, params.signal), ref.value),
  );
}

/** Pages through the account's active connections until `id` is listed. */
async function findActive(upstream: ResolvedUpstream, id: string, signal?: AbortSignal): Promise<Connection> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const { json } = await callUpstream(upstream, {
      method: 'GET',
      path: `/v2/account/connections?status=active&limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`,
      ...(signal ? { signal } : {}),
    });
    if (!isPlainObject(json) || !Array.isArray(json.list) || typeof json.hasMore !== 'boolean') {
      const message = 'OFAuth answered the connections list without { list, hasMore }.';
      throw new OflinkServerError('upstream_unavailable', 502, message);
    }
    const found = json.list.find((item) => isConnection(item) && item.id === id) as Connection | undefined;
    if (found) return found;
    if (!json.hasMore || json.list.length === 0) {
      const message = 'No active connection with this id exists for the apiKey.';
      throw new OflinkServerError('connection_not_found', 404, message);
    }
  }
  throw new OflinkServerError(
    'lookup_limit_reached',
    503,
    `The connection is not among the first ${MAX_PAGES * PAGE_SIZE} active connections of the account; confirm it from a verified connection.created webhook instead.`,
  );
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
