import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny server on a foreign origin: the pages an attacker controls. */
export interface AttackerServer {
  /** Its port on 127.0.0.1; reach it as `http://localhost:<port>` or a look-alike `*.evil.test` host. */
  port: number;
  /** `http://localhost:<port>`: same machine, another origin than the demo and the simulator. */
  url: string;
  /** The same server under another host name (mapped to 127.0.0.1 by Chromium's host resolver rules). */
  urlFor(host: string): string;
  stop(): Promise<void>;
}

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Totally legit</title></head><body>${body}</body></html>`;

/**
 * Starts the attacker's server. Every page is a blank document whose scripts are driven by the tests
 * (Playwright evaluates inside the attacker's frame or window, so the code runs on the attacker's origin).
 *
 * @example
 * const evil = await startAttacker();
 * await page.goto(`${evil.url}/`);
 * await evil.stop();
 */
export async function startAttacker(): Promise<AttackerServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(`<h1>Nothing to see</h1><p id="path">${path.replace(/[^\w/-]/g, '')}</p>`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://localhost:${port}`,
    urlFor: (host) => `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
