import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConnectionStore } from '@oflink/connections';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { type ApiSettings, apiRoutes, type Route, sendError } from './apiRoutes';
import { createStaticHandler } from './staticFiles';

export { USER_COOKIE, userFromCookie } from './demoUser';

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

const defaultClientDir = fileURLToPath(new URL('../dist', import.meta.url));

type RealApi = NonNullable<DemoServerOptions['ofauth']>;

/** The real OFAuth API when asked for (the option, else `OFAUTH_API_KEY`), unless a simulator is given. */
function realApi(options: DemoServerOptions): RealApi | undefined {
  if (options.simulator !== undefined) return undefined;
  if (options.ofauth) return options.ofauth;
  const apiKey = process.env.OFAUTH_API_KEY;
  if (!apiKey) return undefined;
  return {
    apiKey,
    baseUrl: process.env.OFAUTH_BASE_URL || undefined,
    clientAppId: process.env.OFAUTH_CLIENT_APP_ID || undefined,
    webhookSecret: process.env.OFAUTH_WEBHOOK_SECRET || undefined,
  };
}

/** What the API needs of its backend: the simulator's address and secret, or the real API's. */
function backendSettings(simulator: Simulator | null, real: RealApi | undefined) {
  if (simulator) {
    const api = { apiKey: simulator.apiKey, baseUrl: simulator.url };
    return { api, webhookSecret: simulator.webhookSecret, backend: 'simulator' as const };
  }
  const { apiKey, baseUrl, clientAppId, webhookSecret } = real as RealApi;
  const api = { apiKey, ...(baseUrl ? { baseUrl } : {}) };
  return { api, clientAppId, webhookSecret, backend: 'ofauth' as const };
}

/** Listens on `port`/`host`; answers 503 `starting` until `routes()` has a route table. */
async function listen(port: number, host: string, routes: () => Route | null): Promise<Server> {
  const server = createServer((req, res) => {
    const route = routes();
    if (!route) return sendError(res, 503, 'starting', 'The demo server is starting.');
    // async: a route that throws at once is answered like one that rejects
    (async () => route(req, res))().catch((error: unknown) => {
      console.error('demo server: request failed', error);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'The demo server failed to answer.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
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
  const real = realApi(options);
  const ownSimulator =
    !options.simulator && !real ? await startSimulator({ port: 0, host, quiet: true }) : null;
  const simulator = options.simulator ?? ownSimulator;
  const store = createConnectionStore({
    database: options.database ?? (process.env.DATABASE_URL || undefined),
  });
  // the embedded database takes seconds to start: not on the first visitor's request
  const storeReady = store.ready().catch((error: unknown) => {
    console.error('demo server: the connection store is not available yet:', (error as Error).message);
  });
  let routes: Route | null = null;
  const server = await listen(options.port ?? 5173, host, () => routes).catch(async (error: unknown) => {
    await Promise.all([ownSimulator?.stop(), store.close()]);
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (simulator) simulator.configure({ webhookUrl: `${url}/api/webhooks/ofauth` });
  const settings: ApiSettings = { url, store, ...backendSettings(simulator, real) };
  await storeReady;
  routes = apiRoutes(settings, createStaticHandler(options.clientDir ?? defaultClientDir));
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(async () => {
      await Promise.all([ownSimulator?.stop(), store.close()]);
    });
    return stopping;
  };
  return { url, simulator, stop };
}
