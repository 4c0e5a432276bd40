// The app-side session endpoint the popup and throughput measures put in front of the simulator:
// @oflink/server's createLinkHandler through toNodeHandler when the package provides them, and the
// bare fetch proxy that is both the fallback and the throughput baseline.
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/** A node:http request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The subset of @oflink/server this bench uses (ARCHITECTURE.md). */
interface ServerModule {
  createLinkHandler(options: {
    apiKey: string;
    baseUrl: string;
    getClientReferenceId: (request: Request) => string | null | Promise<string | null>;
    allowedOrigins?: string[];
  }): (request: Request) => Promise<Response>;
  toNodeHandler(
    handler: (request: Request) => Promise<Response>,
  ): (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
}

/** The user every bench request belongs to. */
export const BENCH_USER = 'bench_user';
const MAX_BODY = 4096;

/**
 * A minimal session endpoint: reads the JSON body, adds the server-side clientReferenceId and the
 * apiKey, forwards to `/v2/link/init` with fetch and passes status and body through. No validation
 * beyond the body size: it is the floor any helper is compared against.
 */
export function bareProxy(simulatorUrl: string, apiKey: string): NodeListener {
  const target = `${simulatorUrl}/v2/link/init`;
  return bodyThen((body, res) => {
    fetch(target, {
      method: 'POST',
      headers: { apiKey, 'content-type': 'application/json' },
      body,
    })
      .then(async (r) => {
        const text = await r.text();
        res
          .writeHead(r.status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(text);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
  });
}

/**
 * The same minimal endpoint reaching the simulator over `node:http` with a keep-alive agent: what
 * fetch itself costs, for information.
 */
export function bareHttpProxy(simulatorUrl: string, apiKey: string): NodeListener {
  const target = new URL(`${simulatorUrl}/v2/link/init`);
  const agent = new Agent({ keepAlive: true });
  return bodyThen((body, res) => {
    const upstream = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { apiKey, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          res
            .writeHead(r.statusCode ?? 502, {
              'content-type': 'application/json',
              'cache-control': 'no-store',
            })
            .end(Buffer.concat(chunks));
        });
        r.on('error', () => {
          if (!res.headersSent) res.writeHead(502).end();
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    upstream.end(body);
  });
}

/** Reads a JSON body of at most 4 KB, then hands the upstream body (with the user added) to `send`. */
function bodyThen(send: (body: string, res: ServerResponse) => void): NodeListener {
  return (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body =
          size > 0 && size <= MAX_BODY
            ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
            : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid json"}');
        return;
      }
      send(JSON.stringify({ ...body, clientReferenceId: BENCH_USER }), res);
    });
  };
}

/**
 * The bare fetch proxy written as a Fetch API handler and mounted with @oflink/server's
 * toNodeHandler: no checks at all, only the `Request` and `Response` objects a Fetch handler is
 * given and returns on Node. The floor of any Fetch handler behind the Node adapter.
 */
export async function fetchHandlerProxy(simulatorUrl: string, apiKey: string): Promise<NodeListener> {
  const server = await loadServer();
  if (!server) throw new Error('@oflink/server does not export toNodeHandler');
  const target = `${simulatorUrl}/v2/link/init`;
  const node = server.toNodeHandler(async (request) => {
    const text = await request.text();
    const body = text.length > 0 && text.length <= MAX_BODY ? (JSON.parse(text) as object) : {};
    const r = await fetch(target, {
      method: 'POST',
      headers: { apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, clientReferenceId: BENCH_USER }),
    });
    return new Response(await r.text(), {
      status: r.status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  });
  return (req, res) => node(req, res, () => (res.headersSent ? res.destroy() : res.writeHead(500).end()));
}

/**
 * createLinkHandler mounted with @hono/node-server's request listener instead of toNodeHandler:
 * the same handler behind a well-kept library's Node adapter, with Node's own Request and Response
 * (it does not replace the globals here).
 */
export async function honoEndpoint(simulatorUrl: string, apiKey: string): Promise<NodeListener> {
  const server = await loadServer();
  if (!server) throw new Error('@oflink/server does not export createLinkHandler');
  const { getRequestListener } = await import('@hono/node-server');
  const handler = server.createLinkHandler({
    apiKey,
    baseUrl: simulatorUrl,
    getClientReferenceId: () => BENCH_USER,
    allowedOrigins: [],
  });
  // by default it replaces the process's global Request and Response with its own, which every
  // other endpoint of the process would then use too
  return getRequestListener(handler, { overrideGlobalObjects: false }) as unknown as NodeListener;
}

/** Whether packages/server already exports createLinkHandler and toNodeHandler. */
export async function loadServer(): Promise<ServerModule | null> {
  const mod = (await import('@oflink/server')) as unknown as Partial<ServerModule>;
  return typeof mod.createLinkHandler === 'function' && typeof mod.toNodeHandler === 'function'
    ? (mod as ServerModule)
    : null;
}

/** The session endpoint: createLinkHandler via toNodeHandler, or the bare proxy when unavailable. */
export async function sessionEndpoint(
  simulatorUrl: string,
  apiKey: string,
  allowedOrigins: string[],
): Promise<{ kind: 'createLinkHandler' | 'fetch proxy'; listener: NodeListener }> {
  const server = await loadServer();
  if (!server) return { kind: 'fetch proxy', listener: bareProxy(simulatorUrl, apiKey) };
  const handler = server.createLinkHandler({
    apiKey,
    baseUrl: simulatorUrl,
    getClientReferenceId: () => BENCH_USER,
    allowedOrigins,
  });
  const node = server.toNodeHandler(handler);
  return {
    kind: 'createLinkHandler',
    listener: (req, res) =>
      node(req, res, (err) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
      }),
  };
}
