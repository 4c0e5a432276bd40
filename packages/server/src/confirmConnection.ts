import { lookupConnection, MAX_PAGES } from './connectionLookup';
import { OflinkServerError } from './OflinkServerError';
import { checkClientReferenceId, checkConnectionId } from './sessionParams';
import type { Connection } from './types';
import { resolveUpstream } from './upstreamOptions';

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
