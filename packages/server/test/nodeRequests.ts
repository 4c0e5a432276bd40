// The HTTP side of toNodeHandler's tests: servers on free ports (closed after each test), raw
// requests with full control over their headers and body chunks, and createLinkHandler to mount.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { type Simulator, startSimulator } from '@oflink/simulator';
import type express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createLinkHandler } from '../src/session';
import { failOnUnhandledRejection, listenOn } from './support';

const servers: Server[] = [];

/** Closes every server `listen` started (call it after each test). */
export async function closeServers(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
}

/** A node:http server for `listener` on a free port of 127.0.0.1; its URL. */
export async function listen(
  listener: Parameters<typeof createServer>[1] | express.Express,
): Promise<string> {
  const server = createServer(listener as Parameters<typeof createServer>[1]);
  servers.push(server);
  return listenOn(server);
}

export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: full control over headers and how the body is chunked. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: (string | Buffer)[] } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

// a live binding: the test file reads it once the hooks ran
export let sim: Simulator;

/**
 * A simulator for the test file (reset before each test), the servers of each test closed after it,
 * and an unhandled rejection failing the run.
 */
export function withSimulator(): void {
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, quiet: true });
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => sim.reset());
  afterEach(closeServers);
  failOnUnhandledRejection();
}

/** createLinkHandler in front of the simulator, for the user named by the `x-user` header. */
export function linkHandler(extra: { bodyTimeoutMs?: number } = {}) {
  return createLinkHandler({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    getClientReferenceId: (request) => request.headers.get('x-user'),
    onError: () => undefined,
    ...extra,
  });
}

/** The headers of a JSON POST from `origin` by user_1. */
export const json = (origin: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  origin,
  'x-user': 'user_1',
  ...extra,
});

/** POSTs the headers (and `start`, if given) of a body that then never finishes; resolves with the answer. */
export function stalled(
  url: string,
  headers: Record<string, string>,
  start?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (start === undefined) req.flushHeaders();
    else req.write(start);
  });
}
