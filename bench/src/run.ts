// `pnpm bench`: every measure in one run, one table on stdout, bench/results.json and
// BENCHMARKS.md. Missed goals are reported, never fatal; the exit code is non-zero only when a
// measure could not run at all.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, log, machine, ROOT, type Row } from './common';
import { measureConnections } from './connections';
import { measurePopup } from './popup';
import { measureSize } from './size';
import { measureThroughput } from './throughput';

const fmt = (v: number | string | null, unit: string) =>
  v === null
    ? '—'
    : typeof v === 'number'
      ? `${v.toLocaleString('en-US')}${unit && unit !== 'count' ? ` ${unit}` : ''}`
      : v;

/** The one table, as Markdown (readable on a terminal too). */
export function table(rows: readonly Row[]): string {
  const head = ['measure', 'goal', 'measured', 'baseline', 'ratio', 'met'];
  const body = rows.map((r) => [
    r.measure,
    r.goal,
    fmt(r.measured, r.unit),
    fmt(r.baseline, r.unit),
    r.ratio === null ? '—' : `${r.ratio}×`,
    r.met === null ? '—' : r.met ? 'yes' : 'no',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

function markdown(rows: readonly Row[], m: ReturnType<typeof machine>, seconds: number): string {
  const notes = rows.filter((r) => r.note).map((r) => `- **${r.measure}**: ${r.note}`);
  return `# Benchmarks

Written by \`pnpm bench\` (see [bench/README.md](bench/README.md) for what each measure does and how
to reproduce it). Timings are medians of repeated runs, compared as ratios with a baseline measured
in the same run; a missed goal is reported here, it never fails the test command.

Latest run: ${m.date}, ${m.nproc} × ${m.cpu}, Node ${m.node}, ${m.platform}; the whole run took ${seconds} s.
Load average (1 min) at the end of the run: ${m.load} on ${m.nproc} CPUs. Absolute timings depend on it; the
ratios against baselines measured in the same run are the figures to read.

${table(rows)}

## Notes

${notes.join('\n')}
`;
}

const started = Date.now();
const rows: Row[] = [];
const failures: string[] = [];
const measures: [string, () => Promise<Row[]>][] = [
  ['size', measureSize],
  ['server throughput', measureThroughput],
  ['click → popup', measurePopup],
  ['connection store', measureConnections],
];
// BENCH_ONLY=<name,…> runs only the measures whose name contains one of these (and writes no file)
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
for (const [name, measure] of measures) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  const t = Date.now();
  try {
    rows.push(...(await measure()));
    log(`${name}: done in ${Math.round((Date.now() - t) / 1000)} s`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    failures.push(`${name}: ${message}`);
    log(`${name}: FAILED ${e instanceof Error ? (e.stack ?? message) : message}`);
    rows.push({
      area: name,
      measure: `${name} (could not run)`,
      goal: '—',
      measured: `error: ${message.slice(0, 80)}`,
      baseline: null,
      ratio: null,
      met: false,
      unit: '',
    });
  }
}
const seconds = Math.round((Date.now() - started) / 1000);
const m = machine();
if (only.length > 0) {
  process.stdout.write(`\n${table(rows)}\n\n(BENCH_ONLY: no file written)\n`);
  process.exit(failures.length ? 1 : 0);
}
const resultsPath = join(BENCH, 'results.json');
writeFileSync(resultsPath, `${JSON.stringify({ machine: m, seconds, rows, failures }, null, 2)}\n`);
const mdPath = join(ROOT, 'BENCHMARKS.md');
writeFileSync(mdPath, markdown(rows, m, seconds));
try {
  // keep the generated files as the repository formats them
  execFileSync('pnpm', ['exec', 'biome', 'format', '--write', resultsPath, mdPath], {
    cwd: ROOT,
    stdio: 'ignore',
  });
} catch {
  log('biome format of the generated files failed; they are written unformatted');
}
process.stdout.write(`\n${table(rows)}\n\n`);
process.stdout.write(
  `${m.nproc} × ${m.cpu}, load ${m.load}, Node ${m.node}, ${m.date}, ${seconds} s — written to bench/results.json and BENCHMARKS.md\n`,
);
if (failures.length) process.exitCode = 1;
