// The lookup of one connection in OFAuth's list of an account's connections, which has no
// single-connection GET and no filter by id or user (PROTOCOL.md §5): used by the confirmation, and
// by the webhook handler to reconcile an event that carries no time of its own. One account's
// lookups share one pass over the pages: every id that waits is checked against each page as it
// comes, and an id that arrives during a pass joins it at once and is done when the pass has come
// round again to where it joined. A flood of ids that are never found therefore costs one pass at a
// time, whoever sends them, and a genuine lookup waits for at most one full pass.
import { type Connection, isPlainObject } from '@oflink/protocol';
import type { ResolvedUpstream } from './config';
import { OflinkServerError } from './errors';
import { callUpstream } from './upstream';

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
