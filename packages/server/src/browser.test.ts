// The browser entry names every export of the package, so that a bundler resolves an import of any
// of them and the page then fails with the package's own message (not a bundler's "missing export").
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as api from './index';

it('declares every runtime export of the package', () => {
  const source = readFileSync(new URL('./browser.ts', import.meta.url), 'utf8');
  const declared = [...source.matchAll(/serverOnly as (\w+)/g)].map((m) => m[1]).sort();
  expect(declared).toEqual(Object.keys(api).sort());
});
