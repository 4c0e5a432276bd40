import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the run's "Reliability and security figures" table (see scripts/test-all.mjs). */
export interface Figure {
  area: string;
  measure: string;
  value: number | string;
  goal: number | string;
}

/**
 * Writes figures for the end-of-run table when the test command set `OFLINK_TEST_OUTPUT`
 * (a no-op when a test file is run on its own).
 *
 * @example
 * afterAll(() => writeFigures('core-fuzz', rows));
 */
export function writeFigures(name: string, rows: readonly Figure[]): void {
  const out = process.env.OFLINK_TEST_OUTPUT;
  if (!out || rows.length === 0) return;
  mkdirSync(join(out, 'figures'), { recursive: true });
  writeFileSync(join(out, 'figures', `${name}.json`), JSON.stringify(rows, null, 2));
}
