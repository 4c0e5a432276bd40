// The demo's API: @oflink/server's four handlers on one connection store, mounted with
// toNodeHandler, and the route table in front of them and the built client. This is the part an
// app copies: the session, confirm and connections endpoints for the browser, the webhook for OFAuth.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionStore } from '@oflink/server';
import {
  createConfirmHandler,
  createConnectionsHandler,
  createLinkHandler,
  createWebhookHandler,
  toNodeHandler,
} from '@oflink/server';
import { ensureUser, userFromCookie } from './demoUser';

/** A `node:http` request listener that may fail (the server answers 500 then). */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** What the API needs to know of the backend it runs on. */
export interface ApiSettings {
  /** The demo's own origin: the session's `redirectUrl` and the only allowed origin. */
  url: string;
  /** How to reach OFAuth or the simulator. */
  api: { apiKey: string; baseUrl?: string };
  clientAppId?: string | undefined;
  /** The webhook secret; without it, webhooks are answered 503. */
  webhookSecret?: string | undefined;
  store: ConnectionStore;
  /** `GET /api/demo` says which backend runs. */
  backend: 'simulator' | 'ofauth';
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { error: { code, message } });
}

const logError = (what: string) => (error: Error) => console.error(`demo server: ${what}:`, error.message);

/** The library's handlers, each for a `node:http` route. */
function handlers({ url, api, clientAppId, webhookSecret, store }: ApiSettings) {
  const getClientReferenceId = (request: Request) => userFromCookie(request.headers.get('cookie'));
  const session = createLinkHandler({
    ...api,
    ...(clientAppId ? { clientAppId } : {}),
    redirectUrl: `${url}/callback`,
    allowedOrigins: [url],
    store,
    getClientReferenceId,
    onError: logError('session request failed'),
  });
  const confirm = createConfirmHandler({
    ...api,
    store,
    getClientReferenceId,
    onError: logError('confirmation failed'),
  });
  const connections = createConnectionsHandler({
    ...api,
    store,
    getClientReferenceId,
    onError: logError('connections request failed'),
  });
  const webhooks = webhookSecret
    ? createWebhookHandler({
        secret: webhookSecret,
        store,
        onError: (error, context) =>
          console.error(`demo server: webhook rejected (${context.stage}):`, (error as Error).message),
      })
    : null;
  return {
    session: toNodeHandler(session),
    confirm: toNodeHandler(confirm),
    connections: toNodeHandler(connections),
    webhooks: webhooks ? toNodeHandler(webhooks) : null,
  };
}

/**
 * The route table: the API under `/api/`, the built client everywhere else. Every visitor gets a
 * demo user first; OFAuth's webhook deliveries are not a visitor.
 */
export function apiRoutes(settings: ApiSettings, serveClient: Route): Route {
  const { session, confirm, connections, webhooks } = handlers(settings);
  return (req, res) => {
    const path = URL.parse(req.url ?? '/', 'http://x')?.pathname;
    if (path === undefined)
      return sendError(res, 400, 'invalid_request', 'The request target is not a path.');
    if (path !== '/api/webhooks/ofauth') ensureUser(req, res);
    if (path === '/api/oflink/session') return session(req, res);
    if (path === '/api/oflink/confirm') return confirm(req, res);
    if (path === '/api/oflink/connections' || path.startsWith('/api/oflink/connections/'))
      return connections(req, res);
    if (path === '/api/webhooks/ofauth') {
      if (webhooks) return webhooks(req, res);
      return sendError(res, 503, 'webhooks_not_configured', 'Set OFAUTH_WEBHOOK_SECRET to receive webhooks.');
    }
    if (path === '/api/demo') return sendJson(res, 200, { backend: settings.backend });
    if (path.startsWith('/api/')) return sendError(res, 404, 'not_found', `No API route ${path}.`);
    return serveClient(req, res);
  };
}
