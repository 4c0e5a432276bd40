// Measure 3: createLinkHandler through toNodeHandler in front of the simulator vs a bare fetch proxy
// to the same simulator (the same transport: @oflink/server reaches OFAuth with fetch), and for
// information vs the same proxy as a Fetch handler (the floor of the Fetch API objects) and a bare
// node:http proxy: autocannon with 100 connections, rotating rounds in one run.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { log, ROOT, type Row, round, sleep } from './common';
import {
  type CannonResult,
  CONNECTIONS,
  type Results,
  ROUNDS_EACH,
  type Round,
  type Target,
  throughputRows,
} from './throughputRows';

const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 4);

type Autocannon = (options: Record<string, unknown>) => Promise<CannonResult>;
/** What servers.ts fronts prints: each target's URL, and which @oflink/server file it ran. */
type Fronts = Record<Target, string> & { kind: string; server: string; cpu: string };

const require = createRequire(import.meta.url);

/**
 * Starts `servers.ts <args>` under tsx and resolves with the JSON line it prints. The child runs with
 * a tsconfig without the repository's `paths`, so `@oflink/server` and `@oflink/simulator` are the
 * built packages (their dist/, not the sources through tsx), as an app would run them.
 */
function child<T>(args: string[]): Promise<{ proc: ChildProcess; info: T }> {
  const tsx = require.resolve('tsx/cli');
  const script = fileURLToPath(new URL('./servers.ts', import.meta.url));
  const proc = spawn(process.execPath, [tsx, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.dist.json', import.meta.url)),
    },
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString('utf8');
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve({ proc, info: JSON.parse(line) as T });
    });
    proc.once('exit', (code) => reject(new Error(`servers.ts ${args[0]} exited with ${code}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await exited;
}

/** The CPU time the endpoints' process has used so far, in µs. */
const cpuOf = async (cpuUrl: string) => ((await (await fetch(cpuUrl)).json()) as { us: number }).us;

/**
 * One load round against `url`, behind a settled, fresh simulator, with the CPU time the endpoints'
 * process spent per completed request (only the endpoint under load works meanwhile).
 */
function roundRunner(autocannon: Autocannon, simUrl: string, cpuUrl: string) {
  return async (url: string, seconds: number): Promise<Round> => {
    // requests autocannon gave up on at the end of the last round still run upstream: wait until
    // the simulator stops creating sessions, so no round starts behind the previous one's backlog
    let last = -1;
    for (let i = 0; i < 120; i++) {
      const sessions = (await (await fetch(`${simUrl}/__simulator/sessions`)).json()) as unknown[];
      if (sessions.length === last) break;
      last = sessions.length;
      await sleep(500);
    }
    // a fresh simulator per round: its session table grows with every request
    await fetch(`${simUrl}/__simulator/reset`, { method: 'POST' });
    const before = await cpuOf(cpuUrl);
    const result = await autocannon({
      url: `${url}/api/oflink/session`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      connections: CONNECTIONS,
      duration: seconds,
    });
    const cpuUs = ((await cpuOf(cpuUrl)) - before) / Math.max(1, result.requests.total);
    return { ...result, cpuUs };
  };
}

/** A warm-up of every target, then the rounds, each target once per round in a rotating order. */
async function rounds(
  run: ReturnType<typeof roundRunner>,
  targets: Record<Target, string>,
): Promise<Results> {
  const kinds: Target[] = ['bare', 'helper', 'floor', 'hono', 'bareHttp'];
  for (const which of kinds) await run(targets[which], 1); // JIT, keep-alive pools
  const results: Results = { helper: [], bare: [], bareHttp: [], floor: [], hono: [] };
  for (let i = 0; i < ROUNDS_EACH; i++) {
    // rotate which goes first, so drift on a shared machine hits all alike
    const order = [...kinds.slice(i % kinds.length), ...kinds.slice(0, i % kinds.length)];
    for (const which of order) {
      const r = await run(targets[which], ROUND_SECONDS);
      results[which].push(r);
      log(
        `server: ${which} ${round(r.requests.average)} req/s (${r.requests.total} requests), p99 ${r.latency.p99} ms, CPU ${round(r.cpuUs)} µs/request, non-2xx ${r.non2xx}, errors ${r.errors}`,
      );
      await sleep(200);
    }
  }
  return results;
}

/** Rows of measure 3. */
export async function measureThroughput(): Promise<Row[]> {
  const name = 'autocannon';
  const autocannon = (await import(name)).default as Autocannon;
  log('server: pnpm build of @oflink/server and @oflink/simulator');
  execFileSync('pnpm', ['--filter', '@oflink/server', '--filter', '@oflink/simulator', 'run', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sim = await child<{ url: string; apiKey: string }>(['simulator']);
  let fronts: { proc: ChildProcess; info: Fronts } | null = null;
  try {
    fronts = await child<Fronts>(['fronts', sim.info.url, sim.info.apiKey]);
    const { kind, server, helper, bare, bareHttp, floor, hono, cpu } = fronts.info;
    if (!/\/packages\/server\/dist\/[^/]+\.js$/.test(server)) {
      throw new Error(`the throughput endpoint must run the built @oflink/server, but it resolved ${server}`);
    }
    log(
      `server: ${kind} vs bare fetch and node:http proxies, ${CONNECTIONS} connections, ${ROUNDS_EACH}×${ROUND_SECONDS} s each`,
    );
    const results = await rounds(roundRunner(autocannon, sim.info.url, cpu), {
      helper,
      bare,
      bareHttp,
      floor,
      hono,
    });
    return throughputRows(results, kind);
  } finally {
    if (fronts) await stop(fronts.proc);
    await stop(sim.proc);
  }
}
