// The rows of measure 3: the CPU each request costs ours against the floor (the same bare proxy
// as a Fetch handler behind the same adapter: the goal), requests/s against the bare proxy, the
// added p99, the floor, Hono's adapter and the node:http proxy, each from the rounds' medians and
// per-pair ratios.
import { median, type Row, ratio, round } from './common';

/** Connections autocannon keeps open against each endpoint. */
export const CONNECTIONS = 100;
/** Rounds of each endpoint in one run. */
export const ROUNDS_EACH = Number(process.env.BENCH_ROUNDS ?? 4);
/** A round that completed fewer requests than this is not a measurement (the machine stalled). */
export const MIN_REQUESTS = 20;

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
/** What autocannon reports of one round. */
export interface CannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}
/** The endpoints measured. */
export type Target = 'helper' | 'bare' | 'bareHttp' | 'floor' | 'hono';
/** One round of one endpoint: autocannon's report, and the endpoints' process CPU µs per request. */
export type Round = CannonResult & { cpuUs: number };
/** Every round of every endpoint, in the order they ran. */
export type Results = Record<Target, Round[]>;

/** The figures the rows are made of. */
function figures(results: Results) {
  const list = (xs: number[]) => xs.map((x) => round(x, 2)).join(', ');
  // each round pair ran back to back under about the same load: the median of the pair ratios
  // is the figure least moved by other work on the machine
  const pairs = (a: Target, b: Target) =>
    results[a].flatMap((x, i) => {
      const y = results[b][i];
      const counted = y && x.requests.total >= MIN_REQUESTS && y.requests.total >= MIN_REQUESTS;
      return counted ? [x.requests.average / y.requests.average] : [];
    });
  return {
    rps: (k: Target) => round(median(results[k].map((r) => r.requests.average))),
    p99: (k: Target) => round(median(results[k].map((r) => r.latency.p99))),
    bad: (k: Target) => results[k].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
    /** The median CPU µs per request of the endpoint, over the rounds that counted. */
    cpu: (k: Target) => {
      const counted = results[k].filter((r) => r.requests.total >= MIN_REQUESTS);
      return counted.length > 0 ? round(median(counted.map((r) => r.cpuUs))) : Number.NaN;
    },
    /** The median of the per-pair ratios a / b, and the pairs listed. */
    paired(a: Target, b: Target) {
      const ps = pairs(a, b);
      return { ratio: ps.length > 0 ? round(median(ps), 2) : null, list: list(ps) };
    },
    /** The median of the per-pair ratios of CPU per request a / b, and the pairs listed. */
    pairedCpu(a: Target, b: Target) {
      const ps = results[a].flatMap((x, i) => {
        const y = results[b][i];
        const counted = y && x.requests.total >= MIN_REQUESTS && y.requests.total >= MIN_REQUESTS;
        return counted ? [x.cpuUs / y.cpuUs] : [];
      });
      return { ratio: ps.length > 0 ? round(median(ps), 2) : null, list: list(ps) };
    },
  };
}
type Figures = ReturnType<typeof figures>;

function rpsRow(f: Figures, kind: string): Row {
  const { ratio: r, list } = f.paired('helper', 'bare');
  return {
    area: 'server',
    measure: `${kind} via toNodeHandler, requests/s (median of ${ROUNDS_EACH} rounds)`,
    goal: '—',
    measured: f.rps('helper'),
    baseline: f.rps('bare'),
    ratio: r,
    met: null,
    unit: 'req/s',
    note: `ratio: median of the per-pair ratios (${list || `none: no pair completed ${MIN_REQUESTS} requests each`}); ratio of the medians ${ratio(f.rps('helper'), f.rps('bare'))}; baseline: bare fetch proxy to the same simulator; the helper reaches it with fetch too; ${CONNECTIONS} connections; non-2xx/errors: helper ${f.bad('helper')}, bare ${f.bad('bare')}; @oflink/server and the simulator run from their built dist/`,
  };
}

function p99Row(f: Figures): Row {
  return {
    area: 'server',
    measure: 'added p99 latency (helper p99 − bare p99, medians)',
    goal: '—',
    measured: round(f.p99('helper') - f.p99('bare')),
    baseline: f.p99('bare'),
    ratio: ratio(f.p99('helper'), f.p99('bare')),
    met: null,
    unit: 'ms',
    note: `helper p99 ${f.p99('helper')} ms; baseline column: bare proxy p99; ratio = helper p99 / bare p99; at 100 connections each endpoint saturates its own process, so p99 is mostly queueing`,
  };
}

function floorRow(f: Figures): Row {
  const floor = f.paired('floor', 'bare');
  const over = f.paired('helper', 'floor');
  return {
    area: 'server',
    measure: 'floor: the bare fetch proxy as a Fetch handler via toNodeHandler, requests/s',
    goal: '—',
    measured: f.rps('floor'),
    baseline: f.rps('bare'),
    ratio: floor.ratio,
    met: null,
    unit: 'req/s',
    note: `the same proxy with no checks, written as \`(Request) => Promise<Response>\` and mounted with toNodeHandler: what the Request and Response objects of any Fetch handler cost on Node; per-pair ratios to the bare proxy (${floor.list}); createLinkHandler over this floor: ${over.ratio}× (per pair ${over.list}); non-2xx/errors: ${f.bad('floor')}`,
  };
}

function honoRow(f: Figures): Row {
  return {
    area: 'server',
    measure: 'createLinkHandler via @hono/node-server instead of toNodeHandler, requests/s',
    goal: '—',
    measured: f.rps('hono'),
    baseline: f.rps('helper'),
    ratio: f.paired('hono', 'helper').ratio,
    met: null,
    unit: 'req/s',
    note: `baseline column: createLinkHandler via toNodeHandler; ratio = Hono's adapter / ours, per pair; Hono's listener with Node's own Request and Response (told not to replace the globals, which the other endpoints of the process use); to the bare proxy: ${f.paired('hono', 'bare').ratio}×; non-2xx/errors: ${f.bad('hono')}`,
  };
}

function cpuRow(f: Figures, kind: string): Row {
  const [bare, floor, ours] = [f.cpu('bare'), f.cpu('floor'), f.cpu('helper')];
  const { ratio: r, list } = f.pairedCpu('helper', 'floor');
  return {
    area: 'server',
    measure: `CPU per request in the endpoint process, ${kind} via toNodeHandler ÷ the floor (median)`,
    goal: '≤ 1.15× baseline',
    measured: ours,
    baseline: floor,
    ratio: r,
    met: r !== null && r <= 1.15 && kind === 'createLinkHandler' && f.bad('helper') === 0,
    unit: 'µs',
    note: `baseline: the floor, the bare fetch proxy as a Fetch handler behind the same toNodeHandler; ratio: median of the per-pair ratios (${list || 'none'}); less noisy than requests/s on a shared machine; the bare fetch proxy ${bare} µs, the floor ${floor} µs, ours ${ours} µs, Hono's adapter ${f.cpu('hono')} µs; the Request and Response objects of any Fetch handler cost ${round(floor - bare)} µs, our checks and the upstream deadline ${round(ours - floor)} µs; non-2xx/errors: ours ${f.bad('helper')}, floor ${f.bad('floor')}`,
  };
}

function bareHttpRow(f: Figures): Row {
  const http = f.paired('helper', 'bareHttp');
  return {
    area: 'server',
    measure: 'createLinkHandler vs a bare node:http proxy, requests/s',
    goal: '—',
    measured: f.rps('helper'),
    baseline: f.rps('bareHttp'),
    ratio: http.ratio,
    met: null,
    unit: 'req/s',
    note: `for information, against a cheaper transport than the helper's fetch: per-pair ratios (${http.list}); baseline: a bare proxy that reaches the simulator over node:http with a keep-alive agent; non-2xx/errors: ${f.bad('bareHttp')}`,
  };
}

/**
 * The rows of measure 3 from every round of every endpoint.
 *
 * @example
 * throughputRows(await rounds(run, targets), 'createLinkHandler'); // six rows, the goal first
 */
export function throughputRows(results: Results, kind: string): Row[] {
  const f = figures(results);
  return [cpuRow(f, kind), rpsRow(f, kind), p99Row(f), floorRow(f), honoRow(f), bareHttpRow(f)];
}
