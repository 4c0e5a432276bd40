import { CONNECTION_STATUSES } from '@oflink/protocol';
import { z } from 'zod';
import { apiKeysOf, type SimContext } from './context';
import { json, notAllowed, type Reply } from './http';
import { linkInit } from './linkInit';
import { isOpenStep, type SessionInternal } from './store';

const listQuery = z.object({
  status: z.enum(CONNECTION_STATUSES).optional(),
  imported: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A request as the API routes read it. */
export interface ApiRequest {
  method: string;
  url: URL;
  /** The `apiKey` header, if any. */
  key: string | undefined;
  raw: string;
}

/** `GET /v2/account/connections`: a page of the account's connections, in the configured order. */
function listConnections(ctx: SimContext, url: URL): Reply {
  const q = listQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) return json(400, { error: `Invalid request: ${q.error.issues[0]?.path.join('.')}` });
  const { status, imported, limit, offset } = q.data;
  const filter = { ...(status ? { status } : {}), ...(imported ? { imported: imported === 'true' } : {}) };
  const all = ctx.store.list(filter, ctx.opts.connectionOrder === 'newest-first');
  const hasMore = offset + limit < all.length;
  return json(200, {
    list: all.slice(offset, offset + limit),
    hasMore,
    ...(hasMore ? { nextOffset: offset + limit } : {}),
  });
}

/** `DELETE /v2/account/connections/{id}` and `POST …/{id}/invalidate`. */
function connection(ctx: SimContext, req: ApiRequest, id: string, invalidate: boolean): Reply {
  const conn = ctx.store.connections.get(id);
  if (!conn) return json(404, { error: 'Connection not found' });
  if (invalidate) {
    if (req.method !== 'POST') return notAllowed('POST');
    ctx.store.invalidate(conn);
    return json(200, { success: true });
  }
  if (req.method !== 'DELETE') return notAllowed('DELETE');
  ctx.store.remove(conn);
  return json(200, { success: true });
}

/** The login status `GET /v2/link/{clientSecret}` reports for a session (PROTOCOL.md §7). */
function linkStatus(s: SessionInternal): string {
  switch (s.state) {
    case 'pre-login':
      return 'initialized';
    case 'login':
      return s.badLogin ? 'invalid_credentials' : 'pending';
    case '2fa':
      return 'awaiting_2fa';
    case 'success':
      return 'completed';
    case 'cancelled':
      return 'denied';
    case 'error':
      return s.errorCode === 'invalid_credentials' ? 'invalid_credentials' : 'failed';
    default:
      return 'failed'; // expired
  }
}

/** `GET` polls a session's login status; `DELETE` ends it. */
function linkSession(ctx: SimContext, req: ApiRequest, secret: string): Reply {
  const s = ctx.store.find(secret);
  if (req.method !== 'GET' && req.method !== 'DELETE') return notAllowed('GET, DELETE');
  if (!s) return json(404, { status: 'not_found', error: 'Link session not found' });
  if (req.method === 'DELETE') {
    if (ctx.store.isOpen(s) && isOpenStep(s.state)) {
      s.cancelStep = s.state;
      s.state = 'cancelled';
    }
    return json(200, { success: true });
  }
  const out: Record<string, unknown> = { status: linkStatus(s), expiresAt: s.expiresAt };
  if (s.resultConnectionId) out.connectionId = s.resultConnectionId;
  return json(200, out);
}

/** `GET /v2/account/whoami`: the account the key belongs to. */
function whoami(key: string): Reply {
  const sandbox = key.startsWith('sk_sandbox_');
  return json(200, {
    id: sandbox ? 'acct_sandbox_simulator' : 'acct_simulator',
    name: sandbox ? 'Simulator sandbox account' : null,
    permissions: ['link:create', 'connections:read', 'connections:write'],
  });
}

/** Every `/v2` route, behind the `apiKey` check. */
export function api(ctx: SimContext, req: ApiRequest): Reply {
  if (!req.key || !apiKeysOf(ctx.opts).includes(req.key))
    return json(401, { error: 'Unauthorized: missing or unknown apiKey header' });
  const path = req.url.pathname;
  if (path === '/v2/link/init')
    return req.method === 'POST' ? linkInit(ctx, req.raw, req.key) : notAllowed('POST');
  if (path === '/v2/account/whoami') return req.method === 'GET' ? whoami(req.key) : notAllowed('GET');
  if (path === '/v2/account/connections')
    return req.method === 'GET' ? listConnections(ctx, req.url) : notAllowed('GET');
  const conn = /^\/v2\/account\/connections\/([^/]+)(\/invalidate)?$/.exec(path);
  if (conn?.[1]) return connection(ctx, req, decodeURIComponent(conn[1]), conn[2] !== undefined);
  const link = /^\/v2\/link\/([^/]+)$/.exec(path);
  if (link?.[1]) return linkSession(ctx, req, decodeURIComponent(link[1]));
  return json(404, { error: 'Not found' });
}
