// The packages' import graphs: no source module reaches itself through its imports, so each can be
// read, tested and split without first untangling a circle (type imports count too).
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { importCircles, importGraph } from './importGraph';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));
const names = readdirSync(packagesDir);

it.each(names)('@oflink/%s has no import circle', (name) => {
  expect(importCircles(`${packagesDir}${name}/src`)).toEqual([]);
});

it('finds a circle where there is one (the check itself)', () => {
  const dir = mkdtempSync(`${tmpdir()}/oflink-circles-`);
  mkdirSync(`${dir}/webhook`);
  writeFileSync(`${dir}/a.ts`, "import type { B } from './webhook/b';\nexport type A = B;\n");
  writeFileSync(`${dir}/webhook/b.ts`, "import { c } from '../c';\nexport type B = string;\n");
  writeFileSync(`${dir}/c.ts`, "export { type A } from './a';\nexport const c = 1;\n");
  writeFileSync(`${dir}/d.ts`, "import { c } from './c';\nexport const d = c;\n");
  writeFileSync(`${dir}/a.test.ts`, "import { d } from './d';\n");
  expect(importGraph(dir).get('d.ts')).toEqual(['c.ts']);
  expect(importCircles(dir)).toEqual([['a.ts', 'c.ts', 'webhook/b.ts']]);
});
