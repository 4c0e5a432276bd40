// Starts the installed example apps on free ports of 127.0.0.1, each with the OFAUTH_* variables a
// deployment would set, pointing at the simulator the test started.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Simulator } from '@oflink/simulator';
import { WORK } from './install';

/** A running app: its base URL and how to stop it. */
export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answering(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}; see ${log}`);
    try {
      await fetch(url, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${url} did not answer within 90 s; see ${log}`);
}

/**
 * Waits until the app's oflink routes and its callback page answer, as a deployment's readiness
 * check would before it sends traffic: the first calls load their modules and open the embedded
 * store, which takes seconds on a busy machine, and no test should spend its own time limit on that.
 */
export async function routesAnswering(url: string): Promise<void> {
  for (const path of ['/api/oflink/connections', '/oflink/callback']) {
    const response = await fetch(url + path, {
      headers: { cookie: 'user_id=readiness-check' },
      signal: AbortSignal.timeout(90_000),
    });
    if (response.status !== 200) throw new Error(`${url}${path} answered ${response.status}`);
  }
}

/** The environment of an example app on `port`: production, on the simulator `sim`. */
function appEnv(port: number, url: string, sim: Simulator, extraEnv: Record<string, string>) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOST: '127.0.0.1',
    OFAUTH_API_KEY: sim.apiKey,
    OFAUTH_BASE_URL: sim.url,
    OFAUTH_REDIRECT_URL: `${url}/oflink/callback`,
    OFAUTH_WEBHOOK_SECRET: sim.webhookSecret,
    ...extraEnv,
  };
}

/**
 * Runs `node args…` in `dir` with PORT and the OFAUTH_* variables for `sim`, and resolves once the
 * app answers HTTP. Its output goes to a log file beside the installed example.
 */
export async function startApp(
  name: string,
  dir: string,
  args: string[],
  sim: Simulator,
  extraEnv: Record<string, string> = {},
): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(WORK, `${name}.log`);
  const child = spawn(
    'node',
    args.map((a) => a.replace('$PORT', String(port))),
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: appEnv(port, url, sim, extraEnv) },
  );
  const out = createWriteStream(log);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  await answering(url, child, log);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A webhook receiver that hands every message, its raw body and signature headers untouched, to
 * each of `targets`, and answers 200 when every one answered 2xx (else 502, so the sender retries).
 */
export async function webhookRelay(targets: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k),
        ),
      ) as Record<string, string>;
      const body = Buffer.concat(chunks);
      const answers = await Promise.all(
        targets.map((t) =>
          fetch(t, { method: 'POST', headers, body }).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      res.writeHead(answers.every((s) => s >= 200 && s < 300) ? 200 : 502).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
