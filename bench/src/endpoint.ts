// The app-side session endpoint the popup and throughput measures put in front of the simulator:
// @oflink/server's createLinkHandler through toNodeHandler when the package provides them, and the
// bare fetch proxy that is both the fallback and the throughput baseline.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A node:http request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The subset of @oflink/server this bench uses (ARCHITECTURE.md, issue 4). */
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
      fetch(target, {
        method: 'POST',
        headers: { apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, clientReferenceId: BENCH_USER }),
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
  };
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
