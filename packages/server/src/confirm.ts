// Confirmation: the callback's `connection_id` is unsigned URL data, so before the app trusts it,
// `confirmConnection` finds it in OFAuth's list of the account's active connections and checks its
// owner, and `createConfirmHandler` is the endpoint the browser calls for that (reading the store
// first, recording the result in it). Also here: the lookup in OFAuth's list, which the webhook
// handler shares to reconcile an event that carries no time of its own.
import {
  type Connection,
  checkClientReferenceId,
  checkConfirmBody,
  checkConnectionId,
  isPlainObject,
} from '@oflink/protocol';
import { checkHandlerOptions, deferMissing, type ResolvedUpstream, resolveUpstream } from './config';
import type { ConnectionStore } from './connections';
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

// OFAuth's list has no single-connection GET and no filter by id or user (PROTOCOL.md §5). One
// account's lookups share one pass over the pages: every id that waits is checked against each page
// as it comes, and an id that arrives during a pass joins it at once and is done when the pass has
// come round again to where it joined. A flood of ids that are never found therefore costs one pass
// at a time, whoever sends them, and a genuine lookup waits for at most one full pass.

/** Page size of the listing (the API's maximum). */
const PAGE_SIZE = 100;
/** Pages one lookup may wait for: 50 × 100 = the first 5,000 connections. */
export const MAX_PAGES = 50;
/** Ids that may wait on one account's pass; beyond, a lookup is refused with 429. */
export const MAX_WAITING = 100;

/** What a lookup found: the connection, or that the list does not have it, or that it is too long to tell. */
export type LookupResult = Connection | 'not_found' | 'limit';

interface Waiter {
  id: string;
  /** The offset the pass was at when this id joined: it is done when the pass is back there. */
  joinedAt: number;
  pages: number;
  sawEnd: boolean;
  done(result: LookupResult | OflinkServerError): void;
}

interface Pass {
  waiters: Set<Waiter>;
  /** The offset of the page being fetched, or fetched next. */
  offset: number;
}

/** Running passes, by the fetch they use and then by account and filter. */
const passes = new WeakMap<typeof fetch, Map<string, Pass>>();

/**
 * Looks `id` up in the account's list (`status=active` only, when `activeOnly`). Rejects with the
 * upstream's error when a page fails, with `rate_limited` when too many lookups wait, and when
 * `signal` aborts.
 */
export function lookupConnection(
  upstream: ResolvedUpstream,
  id: string,
  { activeOnly, signal }: { activeOnly: boolean; signal?: AbortSignal | undefined },
): Promise<LookupResult> {
  const byAccount = passes.get(upstream.fetch) ?? new Map<string, Pass>();
  passes.set(upstream.fetch, byAccount);
  const key = `${upstream.baseUrl}\n${upstream.apiKey}\n${activeOnly}`;
  let pass = byAccount.get(key);
  if (pass && pass.waiters.size >= MAX_WAITING)
    return Promise.reject(
      new OflinkServerError('rate_limited', 429, 'Too many connection lookups are waiting.', {
        retryAfter: 1,
      }),
    );
  return new Promise<LookupResult>((resolve, reject) => {
    const isNew = !pass;
    pass ??= { waiters: new Set(), offset: 0 };
    const current = pass;
    const onAbort = () =>
      waiter.done(
        new OflinkServerError('upstream_unavailable', 502, 'The lookup was aborted by the caller.'),
      );
    const waiter: Waiter = {
      id,
      joinedAt: current.offset,
      pages: 0,
      sawEnd: false,
      done: (result) => {
        current.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        if (result instanceof OflinkServerError) reject(result);
        else resolve(result);
      },
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    current.waiters.add(waiter);
    if (isNew) {
      byAccount.set(key, current);
      void run(upstream, current, activeOnly).finally(() => byAccount.delete(key));
    }
  });
}

/** Fetches pages while anybody waits; each page settles the ids it holds and the ids that have seen every page. */
async function run(upstream: ResolvedUpstream, pass: Pass, activeOnly: boolean): Promise<void> {
  while (pass.waiters.size > 0) {
    let page: { list: unknown[]; end: boolean };
    try {
      page = await fetchPage(upstream, pass.offset, activeOnly);
    } catch (error) {
      const failure =
        error instanceof OflinkServerError
          ? error
          : new OflinkServerError('upstream_unavailable', 502, 'The connections list could not be read.');
      for (const w of [...pass.waiters]) w.done(failure);
      return;
    }
    pass.offset = page.end ? 0 : pass.offset + PAGE_SIZE;
    for (const w of [...pass.waiters]) {
      const found = page.list.find((item) => isConnection(item) && item.id === w.id) as
        | Connection
        | undefined;
      if (found) {
        w.done(found);
        continue;
      }
      w.pages++;
      w.sawEnd ||= page.end;
      if (w.sawEnd && pass.offset === w.joinedAt) w.done('not_found');
      else if (w.pages >= MAX_PAGES) w.done('limit');
    }
  }
}

async function fetchPage(
  upstream: ResolvedUpstream,
  offset: number,
  activeOnly: boolean,
): Promise<{ list: unknown[]; end: boolean }> {
  const filter = activeOnly ? 'status=active&' : '';
  const { json } = await callUpstream(upstream, {
    method: 'GET',
    path: `/v2/account/connections?${filter}limit=${PAGE_SIZE}&offset=${offset}`,
  });
  if (!isPlainObject(json) || !Array.isArray(json.list) || typeof json.hasMore !== 'boolean') {
    const message = 'OFAuth answered the connections list without { list, hasMore }.';
    throw new OflinkServerError('upstream_unavailable', 502, message);
  }
  return { list: json.list, end: !json.hasMore || json.list.length === 0 };
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
