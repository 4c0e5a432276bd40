import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConnectionStore } from '@oflink/connections';
import {
  createConfirmHandler,
  createConnectionsHandler,
  createLinkHandler,
  createWebhookHandler,
  toNodeHandler,
} from '@oflink/server';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { createStaticHandler } from './staticFiles';

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Port to listen on; 0 picks a free one. @defaultValue 5173 */
  port?: number;
  /** Interface to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** Directory of the built client to serve. @defaultValue apps/demo/dist */
  clientDir?: string;
  /**
   * A running simulator to use (tests pass one). Without it, one is started on a free port, unless
   * `ofauth` is given or `OFAUTH_API_KEY` is set.
   */
  simulator?: Simulator;
  /** Talk to the real OFAuth API instead of a simulator. */
  ofauth?: { apiKey: string; baseUrl?: string; clientAppId?: string; webhookSecret?: string };
  /**
   * Where the users' connections are kept: a `postgres://…` URL, a directory for an embedded
   * database, or nothing for an embedded one in memory.
   * @defaultValue `process.env.DATABASE_URL`, else in memory
   */
  database?: string;
}

/** A running demo server. */
export interface DemoServer {
  /** Base URL, e.g. `http://127.0.0.1:5173`. */
  url: string;
  /** The simulator in use (started here or passed in), or null against the real API. */
  simulator: Simulator | null;
  /** Closes every socket, and the simulator when this function started it. */
  stop(): Promise<void>;
}

/** Name of the cookie that holds the demo user's id (`oflink_demo_user=user_…`). */
export const USER_COOKIE = 'oflink_demo_user';
const USER_ID = /^user_[A-Za-z0-9_-]{16}$/;

const defaultClientDir = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * Reads the demo user's id from a Cookie header, or null when absent or malformed.
 *
 * @example
 * userFromCookie('theme=dark; oflink_demo_user=user_0123456789abcdef'); // 'user_0123456789abcdef'
 */
export function userFromCookie(header: string | null | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === USER_COOKIE) {
      const id = value.join('=');
      return USER_ID.test(id) ? id : null;
    }
  }
  return null;
}

/**
 * Gives every visitor a demo user: a random id in an HttpOnly, SameSite=Lax cookie, set on the
 * first request. The id is also put on the request, so the very first API call already has a user.
 */
function ensureUser(req: IncomingMessage, res: ServerResponse): void {
  if (userFromCookie(req.headers.cookie)) return;
  const id = `user_${randomBytes(12).toString('base64url')}`;
  res.setHeader('set-cookie', `${USER_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
  const others = (req.headers.cookie ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith(`${USER_COOKIE}=`));
  const cookie = [...others, `${USER_COOKIE}=${id}`].join('; ');
  req.headers.cookie = cookie;
  // toNodeHandler builds the Fetch Request from rawHeaders: replace the Cookie entries there too
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'cookie') kept.push(raw[i]!, raw[i + 1]!);
  }
  raw.splice(0, raw.length, ...kept, 'Cookie', cookie);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers = {}) {
  sendJson(res, status, { error: { code, message } }, headers);
}

/**
 * Starts the demo: the built client and its API (`POST /api/oflink/session`, `POST /api/oflink/confirm`,
 * `GET /api/oflink/connections`, `DELETE /api/oflink/connections/:id`, `POST /api/webhooks/ofauth`,
 * `GET /api/demo`) on one origin, backed by a simulator (started here on a free port, or the one
 * given) or by the real OFAuth API, and by a connection store (embedded, or `DATABASE_URL`).
 *
 * @example
 * const demo = await startDemoServer({ port: 0, simulator: sim });
 * console.log(demo.url); // http://127.0.0.1:43123
 * await demo.stop();
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const envKey = process.env.OFAUTH_API_KEY;
  const real =
    options.simulator === undefined
      ? (options.ofauth ??
        (envKey
          ? {
              apiKey: envKey,
              baseUrl: process.env.OFAUTH_BASE_URL || undefined,
              clientAppId: process.env.OFAUTH_CLIENT_APP_ID || undefined,
              webhookSecret: process.env.OFAUTH_WEBHOOK_SECRET || undefined,
            }
          : undefined))
      : undefined;
  const ownSimulator =
    !options.simulator && !real ? await startSimulator({ port: 0, host, quiet: true }) : null;
  const simulator = options.simulator ?? ownSimulator;

  // what confirmConnection needs; the session handler also gets the client app id
  const api = simulator
    ? { apiKey: simulator.apiKey, baseUrl: simulator.url }
    : { apiKey: real!.apiKey, ...(real!.baseUrl ? { baseUrl: real!.baseUrl } : {}) };
  const clientAppId = simulator ? undefined : real?.clientAppId;
  const webhookSecret = simulator ? simulator.webhookSecret : real?.webhookSecret;

  const store = createConnectionStore({
    database: options.database ?? (process.env.DATABASE_URL || undefined),
  });
  // the embedded database takes seconds to start: not on the first visitor's request
  const storeReady = store.ready().catch((error: unknown) => {
    console.error('demo server: the connection store is not available yet:', (error as Error).message);
  });
  const serveClient = createStaticHandler(options.clientDir ?? defaultClientDir);
  let routes: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;

  const server = createServer((req, res) => {
    if (!routes) {
      sendError(res, 503, 'starting', 'The demo server is starting.');
      return;
    }
    routes(req, res).catch((error: unknown) => {
      console.error('demo server: request failed', error);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'The demo server failed to answer.');
      else res.destroy();
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 5173, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await ownSimulator?.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  if (simulator) simulator.configure({ webhookUrl: `${url}/api/webhooks/ofauth` });

  const getClientReferenceId = (request: Request) => userFromCookie(request.headers.get('cookie'));
  const logError = (what: string) => (error: Error) => console.error(`demo server: ${what}:`, error.message);
  const session = toNodeHandler(
    createLinkHandler({
      ...api,
      ...(clientAppId ? { clientAppId } : {}),
      redirectUrl: `${url}/callback`,
      allowedOrigins: [url],
      store,
      getClientReferenceId,
      onError: logError('session request failed'),
    }),
  );
  const confirm = toNodeHandler(
    createConfirmHandler({ ...api, store, getClientReferenceId, onError: logError('confirmation failed') }),
  );
  const connections = toNodeHandler(
    createConnectionsHandler({
      ...api,
      store,
      getClientReferenceId,
      onError: logError('connections request failed'),
    }),
  );
  const webhooks = webhookSecret
    ? toNodeHandler(
        createWebhookHandler({
          secret: webhookSecret,
          store,
          on: {},
          onError: (error, context) =>
            console.error(`demo server: webhook rejected (${context.stage}):`, (error as Error).message),
        }),
      )
    : null;

  await storeReady;
  routes = async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // OFAuth's webhook deliveries are not a visitor: no demo user for them
    if (path !== '/api/webhooks/ofauth') ensureUser(req, res);
    switch (path) {
      case '/api/oflink/session':
        return session(req, res);
      case '/api/oflink/confirm':
        return confirm(req, res);
      case '/api/oflink/connections':
        return connections(req, res);
      case '/api/webhooks/ofauth':
        if (!webhooks) {
          return sendError(
            res,
            503,
            'webhooks_not_configured',
            'Set OFAUTH_WEBHOOK_SECRET to receive webhooks.',
          );
        }
        return webhooks(req, res);
      case '/api/demo':
        return sendJson(res, 200, { backend: simulator ? 'simulator' : 'ofauth' });
      default:
        if (path.startsWith('/api/oflink/connections/')) return connections(req, res);
        if (path.startsWith('/api/')) return sendError(res, 404, 'not_found', `No API route ${path}.`);
        return serveClient(req, res);
    }
  };

  let stopping: Promise<void> | null = null;
  return {
    url,
    simulator,
    stop: () => {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all([ownSimulator?.stop(), store.close()]);
      })();
      return stopping;
    },
  };
}
