import { OflinkServerError } from './OflinkServerError';
import { checkClientReferenceId, checkConnectionId, isPlainObject } from './sessionParams';
import type { Connection } from './types';
import { callUpstream, resolveUpstream } from './upstream';

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
   * @defaultValue `node:http(s)` with a keep-alive agent on Node, else `globalThis.fetch`
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
/** Pages read before giving up: 50 × 100 = 5,000 connections. */
const MAX_PAGES = 50;

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
 * `connection_id` is unsigned URL data, so this pages through `GET /v2/account/connections`
 * (100 per page, at most 5,000 connections) and returns the connection only if its id matches,
 * its `clientReferenceId` equals the one given, and it is `active`. Otherwise it throws an
 * {@link OflinkServerError}: `connection_not_found` (404), `connection_not_owned` (403),
 * `connection_inactive` (409), `invalid_request` (400) for a malformed id, or the upstream codes of
 * the session endpoint (`server_misconfigured`, `upstream_unavailable`, `upstream_timeout`, …).
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

  for (let page = 0; page < MAX_PAGES; page++) {
    const { json } = await callUpstream(upstream, {
      method: 'GET',
      path: `/v2/account/connections?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`,
      ...(params.signal ? { signal: params.signal } : {}),
    });
    if (!isPlainObject(json) || !Array.isArray(json.list) || typeof json.hasMore !== 'boolean') {
      throw new OflinkServerError(
        'upstream_unavailable',
        502,
        'OFAuth answered the connections list without { list, hasMore }.',
      );
    }
    for (const item of json.list) {
      if (!isConnection(item) || item.id !== id.value) continue;
      if ((item.clientReferenceId ?? null) !== ref.value) {
        throw new OflinkServerError(
          'connection_not_owned',
          403,
          'The connection belongs to another user (clientReferenceId differs).',
        );
      }
      if (item.status !== 'active') {
        throw new OflinkServerError(
          'connection_inactive',
          409,
          `The connection is ${item.status}, not active.`,
        );
      }
      return item;
    }
    if (!json.hasMore || json.list.length === 0) {
      throw new OflinkServerError(
        'connection_not_found',
        404,
        'No connection with this id exists for the apiKey.',
      );
    }
  }
  throw new OflinkServerError(
    'connection_not_found',
    404,
    `The connection was not found in the first ${MAX_PAGES * PAGE_SIZE} connections.`,
  );
}
