import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One line of the results table. Sizes are bytes, timings milliseconds, the rest plain counts. */
export interface Row {
  /** Which measure the row belongs to (size, popup, server, renders, leaks). */
  area: string;
  /** What was measured, in words. */
  measure: string;
  /** The goal, e.g. `≤ 3000 B`; `—` for a context row. */
  goal: string;
  /** The measured value. */
  measured: number | string;
  /** The baseline measured in the same run (`null` when the measure has none). */
  baseline: number | string | null;
  /** measured / baseline, or `null` without a numeric baseline. */
  ratio: number | null;
  /** Whether the goal is met (`null` for context rows without a goal). */
  met: boolean | null;
  /** Unit of measured and baseline. */
  unit: 'B' | 'ms' | 'µs' | 'req/s' | 'count' | '';
  /** Free text: sample sizes, spreads, caveats. */
  note?: string;
}

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Absolute path of bench/. */
export const BENCH = fileURLToPath(new URL('../', import.meta.url));

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Value at quantile q (0..1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** Rounds for display: integers stay, small values keep one decimal. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** measured / baseline, or null when either is not a positive number. */
export function ratio(measured: number, baseline: number): number | null {
  return baseline > 0 && Number.isFinite(measured) ? round(measured / baseline, 2) : null;
}

/** The machine a run happened on. */
export function machine() {
  const cpu = cpus();
  return {
    nproc: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1-minute load average when the run ended: above nproc, other work competed for the CPU. */
    load: round(loadavg()[0] ?? 0),
    date: new Date().toISOString(),
  };
}

/** A log line on stderr, so stdout keeps only the table. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Resolves after ms. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
