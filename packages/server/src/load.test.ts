// Load: 2,000 session requests at 100 concurrent through toNodeHandler on a real node:http
// server → simulator: 0 errors and no socket left open. Speed and memory are the bench's.
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '@oflink/simulator';
import { describe, expect, it } from 'vitest';
import { failOnUnhandledRejection, writeFigures } from '../test/support';
import { toNodeHandler } from './node';
import { createLinkHandler } from './session';

failOnUnhandledRejection();

const TOTAL = 2000;
const CONCURRENCY = 100;
const WARMUP = 800;

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

/** Polls `read` until it returns `want` or `limitMs` passes; returns the last value (the assertion is on the value). */
async function waitFor(
  read: () => number | Promise<number>,
  want: number,
  limitMs = 10_000,
): Promise<number> {
  const until = Date.now() + limitMs;
  let value = await read();
  while (value !== want && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

describe.each([{ name: 'fetch' }])('load through toNodeHandler, upstream over $name', ({ name }) => {
  it(`answers ${TOTAL} session requests at ${CONCURRENCY} concurrent with 0 errors and no socket left open`, async () => {
    const tcpBefore = tcpHandles();
    const failures: string[] = [];
    const sim = await startSimulator({ port: 0, quiet: true });
    const server = createServer(
      toNodeHandler(
        createLinkHandler({
          apiKey: sim.apiKey,
          baseUrl: sim.url,
          getClientReferenceId: (request) => request.headers.get('x-user'),
          // This test is about errors and leaks, not speed (bench/ measures that): on a shared, loaded
          // machine one event loop runs client, server and simulator, so the default 10 s deadline is widened.
          timeoutMs: 60_000,
          onError: (error) => {
            failures.push(`${error.code}: ${error.message}`);
          },
        }),
      ),
    );
    // Longer than any pause of this test, so the client never reuses a socket the server is closing.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    const one = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(i % 10 === 0 ? { geolocation: { country: 'US' } } : {});
        const req = httpRequest(
          `${base}/api/oflink/session`,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', origin: base, 'x-user': `user_${i % 250}` },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => {
              const ok = res.statusCode === 200 && (JSON.parse(text) as { mode?: string }).mode === 'hosted';
              if (!ok) failures.push(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
              resolve(ok ? 0 : 1);
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    const run = async (total: number) => {
      let next = 0;
      let errors = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          errors += await one(i).catch((error: Error) => {
            failures.push(`client: ${error.message}`);
            return 1;
          });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return errors;
    };

    let errors = -1;
    let openServerSockets = -1;
    let leftTcp = -1;
    let seconds = 0;
    try {
      expect(await run(WARMUP)).toBe(0);
      sim.reset();
      const started = performance.now();
      errors = await run(TOTAL);
      seconds = (performance.now() - started) / 1000;
      expect(sim.sessions()).toHaveLength(TOTAL);
    } finally {
      agent.destroy();
      openServerSockets = await waitFor(
        () =>
          new Promise<number>((resolve, reject) =>
            server.getConnections((e, n) => (e ? reject(e) : resolve(n))),
          ),
        0,
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.stop();
      leftTcp = (await waitFor(tcpHandles, tcpBefore)) - tcpBefore;
    }

    writeFigures(name === 'fetch' ? 'server-load' : 'server-load-node-http', [
      {
        area: 'server',
        measure: `load over ${name}: errors in ${TOTAL} requests at ${CONCURRENCY} concurrent`,
        value: errors,
        goal: 0,
      },
      {
        area: 'server',
        measure: `load over ${name}: server sockets open after the run`,
        value: openServerSockets,
        goal: 0,
      },
      {
        area: 'server',
        measure: `load over ${name}: TCP handles left after shutdown`,
        value: leftTcp,
        goal: 0,
      },
      {
        area: 'server',
        measure: `load over ${name}: requests per second (info)`,
        value: Math.round(TOTAL / seconds),
        goal: '—',
      },
    ]);
    expect(failures).toEqual([]);
    expect(errors).toBe(0);
    expect(openServerSockets).toBe(0);
    expect(leftTcp).toBe(0);
  }, 300_000);
});
