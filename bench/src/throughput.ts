// Measure 3: createLinkHandler through toNodeHandler in front of the simulator vs a bare fetch proxy
// to the same simulator (the same transport: @oflink/server reaches OFAuth with fetch), and for
// information vs the same proxy as a Fetch handler (the floor of the Fetch API objects) and a bare
// node:http proxy: autocannon with 100 connections, rotating rounds in one run.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { log, median, ROOT, type Row, ratio, round, sleep } from './common';

const CONNECTIONS = 100;
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 4);
const ROUNDS_EACH = Number(process.env.BENCH_ROUNDS ?? 4);
/** A round that completed fewer requests than this is not a measurement (the machine stalled). */
const MIN_REQUESTS = 20;

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface CannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<CannonResult>;
type Target = 'helper' | 'bare' | 'bareHttp' | 'floor' | 'hono';
/** What servers.ts fronts prints: each target's URL, and which @oflink/server file it ran. */
type Fronts = Record<Target, string> & { kind: string; server: string };

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

/** One load round against `url`, behind a settled, fresh simulator. */
function roundRunner(autocannon: Autocannon, simUrl: string) {
  return async (url: string, seconds: number) => {
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
    return autocannon({
      url: `${url}/api/oflink/session`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      connections: CONNECTIONS,
      duration: seconds,
    });
  };
}

type Results = Record<Target, CannonResult[]>;

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
        `server: ${which} ${round(r.requests.average)} req/s (${r.requests.total} requests), p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
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
    const { kind, server, helper, bare, bareHttp, floor, hono } = fronts.info;
    if (!/\/packages\/server\/dist\/[^/]+\.js$/.test(server)) {
      throw new Error(`the throughput endpoint must run the built @oflink/server, but it resolved ${server}`);
    }
    log(
      `server: ${kind} vs bare fetch and node:http proxies, ${CONNECTIONS} connections, ${ROUNDS_EACH}×${ROUND_SECONDS} s each`,
    );
    const results = await rounds(roundRunner(autocannon, sim.info.url), {
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

/** The rows: ours against the bare proxy (the goal), then the floor, Hono's adapter and node:http. */
function throughputRows(results: Results, kind: string): Row[] {
  const rps = (k: Target) => round(median(results[k].map((r) => r.requests.average)));
  const p99 = (k: Target) => round(median(results[k].map((r) => r.latency.p99)));
  const bad = (k: Target) => results[k].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const helperRps = rps('helper');
  const bareRps = rps('bare');
  // each round pair ran back to back under about the same load: the median of the pair ratios
  // is the figure least moved by other work on the machine
  const pairsWith = (k: Target) =>
    results.helper.map((h, i) => h.requests.average / (results[k][i]?.requests.average ?? Number.NaN));
  const pairs = pairsWith('bare');
  const r = round(median(pairs), 2);
  const httpPairs = pairsWith('bareHttp');
  const floorPairs = results.floor.map(
    (f, i) => f.requests.average / (results.bare[i]?.requests.average ?? Number.NaN),
  );
  const overFloor = pairsWith('floor');
  const failures = `non-2xx/errors: helper ${bad('helper')}, bare ${bad('bare')}`;
  return [
    {
      area: 'server',
      measure: `${kind} via toNodeHandler, requests/s (median of ${ROUNDS_EACH} rounds)`,
      goal: '≥ 0.9× baseline',
      measured: helperRps,
      baseline: bareRps,
      ratio: r,
      met: r !== null && r >= 0.9 && kind === 'createLinkHandler' && bad('helper') === 0,
      unit: 'req/s',
      note: `ratio: median of the per-pair ratios (${pairs.map((x) => round(x, 2)).join(', ') || `none: no pair completed ${MIN_REQUESTS} requests each`}); ratio of the medians ${ratio(helperRps, bareRps)}; baseline: bare fetch proxy to the same simulator; the helper reaches it with fetch too; ${CONNECTIONS} connections; ${failures}; @oflink/server and the simulator run from their built dist/`,
    },
    {
      area: 'server',
      measure: 'added p99 latency (helper p99 − bare p99, medians)',
      goal: '—',
      measured: round(p99('helper') - p99('bare')),
      baseline: p99('bare'),
      ratio: ratio(p99('helper'), p99('bare')),
      met: null,
      unit: 'ms',
      note: `helper p99 ${p99('helper')} ms; baseline column: bare proxy p99; ratio = helper p99 / bare p99; at 100 connections each endpoint saturates its own process, so p99 is mostly queueing`,
    },
    {
      area: 'server',
      measure: 'floor: the bare fetch proxy as a Fetch handler via toNodeHandler, requests/s',
      goal: '—',
      measured: rps('floor'),
      baseline: bareRps,
      ratio: round(median(floorPairs), 2),
      met: null,
      unit: 'req/s',
      note: `the same proxy with no checks, written as \`(Request) => Promise<Response>\` and mounted with toNodeHandler: what the Request and Response objects of any Fetch handler cost on Node; per-pair ratios to the bare proxy (${floorPairs.map((x) => round(x, 2)).join(', ')}); createLinkHandler over this floor: ${round(median(overFloor), 2)}× (per pair ${overFloor.map((x) => round(x, 2)).join(', ')}); non-2xx/errors: ${bad('floor')}`,
    },
    {
      area: 'server',
      measure: 'createLinkHandler via @hono/node-server instead of toNodeHandler, requests/s',
      goal: '—',
      measured: rps('hono'),
      baseline: helperRps,
      ratio: round(
        median(
          results.hono.map(
            (h, i) => h.requests.average / (results.helper[i]?.requests.average ?? Number.NaN),
          ),
        ),
        2,
      ),
      met: null,
      unit: 'req/s',
      note: `baseline column: createLinkHandler via toNodeHandler; ratio = Hono's adapter / ours, per pair; Hono's listener with Node's own Request and Response (globals not replaced); to the bare proxy: ${round(median(results.hono.map((h, i) => h.requests.average / (results.bare[i]?.requests.average ?? Number.NaN))), 2)}×; non-2xx/errors: ${bad('hono')}`,
    },
    {
      area: 'server',
      measure: 'createLinkHandler vs a bare node:http proxy, requests/s',
      goal: '—',
      measured: helperRps,
      baseline: rps('bareHttp'),
      ratio: round(median(httpPairs), 2),
      met: null,
      unit: 'req/s',
      note: `for information, against a cheaper transport than the helper's fetch: per-pair ratios (${httpPairs.map((x) => round(x, 2)).join(', ')}); baseline: a bare proxy that reaches the simulator over node:http with a keep-alive agent; non-2xx/errors: ${bad('bareHttp')}`,
    },
  ];
}
