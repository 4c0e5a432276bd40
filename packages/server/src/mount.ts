// The one mount: every oflink route behind one Fetch handler under a base path, each route the
// handler of its own factory, built once from one options object.
import { BASE_PATH, type Connection } from '@oflink/protocol';
import { isDevelopment } from './config';
import { createConfirmHandler } from './confirm';
import { type ConnectionStore, createConnectionsHandler } from './connections';
import { errorResponse, invalidOptions, pathOf, refusal } from './errors';
import { createLinkHandler, type LinkHandlerOptions } from './session';
import { createWebhookHandler } from './webhook/handler';
import type { CreateWebhookHandlerOptions } from './webhook/options';

/**
 * Options of {@link createOflinkHandler}: one object for every route. The session endpoint's options
 * (the apiKey, `redirectUrl`, who the user is, the origins), the store, and the webhook's.
 * @example
 * const options: OflinkHandlerOptions = { store, getClientReferenceId: (request) => userIdFromCookie(request) };
 */
export interface OflinkHandlerOptions extends LinkHandlerOptions {
  /**
   * Where the routes are mounted: `{basePath}/session`, `/confirm`, `/connections[/conn_…]` and
   * `/webhook`. The browser side's defaults are under `/api/oflink`.
   * @defaultValue '/api/oflink'
   */
  basePath?: string | undefined;
  /**
   * The app's connection store (e.g. `createConnectionStore()` of `@oflink/connections`): it turns
   * on the connections route, records confirmed connections, applies webhooks once and in order,
   * and allows a reconnect for the stored owner.
   * @defaultValue undefined (no connections route; confirmations go to `onConfirmed` only)
   */
  store?: ConnectionStore | undefined;
  /** Runs once a connection is confirmed for the user, after the store recorded it. @defaultValue undefined */
  onConfirmed?:
    | ((connection: Connection, clientReferenceId: string, request: Request) => unknown)
    | undefined;
  /**
   * The webhook route's own options (`secret`, `on`, `onError`, …); it shares the apiKey, the store
   * and the deadline of the others. Without a store and without handlers, the route is off (404).
   * @defaultValue {} (on when there is a store)
   */
  webhook?: Omit<CreateWebhookHandlerOptions, 'store' | 'apiKey' | 'baseUrl' | 'fetch'> | undefined;
}

type Handler = (request: Request) => Promise<Response>;

const NAMES = ['session', 'confirm', 'connections', 'webhook'] as const;

/**
 * Every oflink route behind one Fetch handler, mounted once under a base path: the session endpoint
 * (`POST {basePath}/session`), the confirm endpoint (`POST …/confirm`), the connections endpoint
 * (`GET …/connections`, `DELETE …/connections/conn_…`, with a `store`) and the webhook endpoint
 * (`POST …/webhook`, with a `store` or `webhook.on`). Each route is the handler of its own
 * `create…Handler`, built once from this one options object, with every behaviour and answer of
 * that handler; any other path under the base answers 404 `not_found`. Options are checked here,
 * like each handler's; secrets are read when a request comes.
 *
 * @example
 * // app/api/oflink/[...oflink]/route.ts (Next.js App Router)
 * import { createConnectionStore } from '@oflink/connections';
 * import { createOflinkHandler } from '@oflink/server';
 *
 * const oflink = createOflinkHandler({
 *   store: createConnectionStore({ database: process.env.DATABASE_URL }),
 *   getClientReferenceId: (request) => request.headers.get('x-user-id'),
 * });
 * export { oflink as GET, oflink as POST, oflink as DELETE };
 */
export function createOflinkHandler(options: OflinkHandlerOptions): Handler {
  if (options === null || typeof options !== 'object')
    throw invalidOptions('createOflinkHandler: pass an options object.');
  const base = basePathOf(options.basePath);
  const { webhook = {}, basePath: _base, ...shared } = options;
  const upstream = {
    apiKey: shared.apiKey,
    baseUrl: shared.baseUrl,
    fetch: shared.fetch,
    timeoutMs: shared.timeoutMs,
  };
  const routes: Record<(typeof NAMES)[number], Handler | null> = {
    session: createLinkHandler(shared),
    confirm: createConfirmHandler(shared),
    connections: shared.store ? createConnectionsHandler({ ...shared, store: shared.store }) : null,
    webhook:
      shared.store || webhook.on
        ? createWebhookHandler({
            timeoutMs: shared.timeoutMs,
            ...webhook,
            ...definedOnly(upstream),
            store: shared.store,
          })
        : null,
  };
  return async (request) => {
    const path = pathOf(request);
    const rest = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
    const name = rest?.split('/')[0] ?? '';
    const route = (NAMES as readonly string[]).includes(name) ? routes[name as (typeof NAMES)[number]] : null;
    // only the connections route takes a segment after its name (the id of a DELETE)
    if (route && (name === 'connections' || rest === name)) return route(request);
    // what is mounted is said in development answers only
    return errorResponse(refusal('not_found', 404, notMounted(path, base, name, routes)), {
      caller: 'createOflinkHandler',
      request,
      development: isDevelopment(),
    });
  };
}

/** The base path, checked: `/` and segments, no trailing slash. */
function basePathOf(value: unknown): string {
  if (value === undefined) return BASE_PATH;
  if (typeof value !== 'string' || !/^(\/[\w.~-]+)+$/.test(value))
    throw invalidOptions(
      `createOflinkHandler: basePath must be a path such as "/api/oflink" (no trailing slash); got ${JSON.stringify(String(value))}.`,
    );
  return value;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What is mounted where, and why this route is off. */
function notMounted(
  path: string,
  base: string,
  name: string,
  routes: Record<string, Handler | null>,
): string {
  const off =
    name === 'connections'
      ? ' The connections route needs a store.'
      : name === 'webhook'
        ? ' The webhook route needs a store or webhook.on.'
        : '';
  const mounted = NAMES.filter((r) => routes[r]).map((r) => `${base}/${r}`);
  return `${path} is not one of ${mounted.join(', ')}.${off}`;
}
