// The relative imports between one package's source modules (tests and test kits left out), type
// imports included: a circle of types is still a circle a reader has to break to follow the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** The package's source modules under `src/` (no tests, stories or test kits), as paths relative to `src/`. */
export function sourceModules(srcDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.(test|test-d|stories)\.tsx?$|TestKit\.tsx?$|\.d\.ts$/.test(name))
        out.push(relative(srcDir, path));
    }
  };
  walk(srcDir);
  return out.sort();
}

/** Each source module's relative imports that are source modules too. */
export function importGraph(srcDir: string): Map<string, string[]> {
  const modules = sourceModules(srcDir);
  const known = new Set(modules);
  const graph = new Map<string, string[]>();
  for (const file of modules) {
    const text = readFileSync(join(srcDir, file), 'utf8');
    const targets = new Set<string>();
    for (const [, spec] of text.matchAll(IMPORT)) {
      const base = relative(srcDir, resolve(srcDir, dirname(file), spec as string)).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => known.has(c));
      if (hit) targets.add(hit);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The import circles among a package's source modules: each strongly connected group of more than
 * one module (or a module importing itself), as its sorted file names. Empty when there is none.
 * @example
 * importCircles('packages/server/src'); // [] when no module reaches itself
 */
export function importCircles(srcDir: string): string[][] {
  const graph = importGraph(srcDir);
  // Tarjan's strongly connected components
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}
