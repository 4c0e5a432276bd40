// Measure 5: the size of the source a reader has to hold in their head: lines of each package's
// source (tests, stories and test fixtures excluded), and its longest file and longest function,
// found with the TypeScript parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT, type Row } from './common';

const NOT_SOURCE = /\.(test|spec|stories|chromium\.test)\.tsx?$|testkit|TestKit/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.d\.ts$/.test(e.name) && !NOT_SOURCE.test(e.name),
    )
    .map((e) => join(e.parentPath, e.name));
}

/** Lines that are neither blank nor only a comment. */
function codeLines(text: string): number {
  return text.split('\n').filter((l) => !/^\s*($|\/\/|\/\*|\*)/.test(l)).length;
}

/** The longest function-like node of a file, in lines. */
function longestFunction(file: string, text: string): { name: string; lines: number } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  let best = { name: '', lines: 0 };
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)';
      if (end - start + 1 > best.lines) best = { name: named, lines: end - start + 1 };
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return best;
}

/** The names a package's entry exports (values and types), read from its `export … from` lines. */
function exportedNames(entry: string): string[] {
  const source = ts.createSourceFile(entry, readFileSync(entry, 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const statement of source.statements) {
    const clause = ts.isExportDeclaration(statement) ? statement.exportClause : undefined;
    if (clause && ts.isNamedExports(clause)) names.push(...clause.elements.map((e) => e.name.text));
    else if (ts.isExportDeclaration(statement)) names.push('*');
  }
  return names;
}

interface PackageCode {
  files: number;
  lines: number;
  code: number;
  longestFile: { path: string; lines: number };
  longestFunction: { path: string; name: string; lines: number };
}

function measurePackage(name: string): PackageCode {
  const out: PackageCode = {
    files: 0,
    lines: 0,
    code: 0,
    longestFile: { path: '', lines: 0 },
    longestFunction: { path: '', name: '', lines: 0 },
  };
  for (const file of sourceFiles(join(ROOT, 'packages', name, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const path = relative(ROOT, file);
    const fn = longestFunction(file, text);
    out.files++;
    out.lines += lines;
    out.code += codeLines(text);
    if (lines > out.longestFile.lines) out.longestFile = { path, lines };
    if (fn.lines > out.longestFunction.lines) out.longestFunction = { path, ...fn };
  }
  return out;
}

const row = (measure: string, goal: string, measured: number, met: boolean | null, note: string): Row => ({
  area: 'code',
  measure,
  goal,
  measured,
  baseline: null,
  ratio: null,
  met,
  unit: 'count',
  note,
});

/** Rows of measure 5. */
export async function measureCode(): Promise<Row[]> {
  const p = Object.fromEntries(
    ['server', 'simulator', 'connections', 'core', 'react', 'protocol'].map((n) => [n, measurePackage(n)]),
  ) as Record<string, PackageCode>;
  const server = p.server as PackageCode;
  const longest = (names: string[], key: 'longestFile' | 'longestFunction') =>
    names.map((n) => p[n] as PackageCode).reduce((a, b) => (b[key].lines > a[key].lines ? b : a))[key];
  const serverSide = longest(['server', 'simulator', 'connections'], 'longestFile');
  const browserFile = longest(['core', 'react'], 'longestFile');
  const browserFn = longest(['core', 'react'], 'longestFunction') as PackageCode['longestFunction'];
  const serverFn = longest(
    ['server', 'simulator', 'connections'],
    'longestFunction',
  ) as PackageCode['longestFunction'];
  const coreNames = exportedNames(join(ROOT, 'packages/core/src/index.ts'));
  const all = Object.entries(p)
    .map(([n, c]) => `${n} ${c.files} files, ${c.lines} lines (${c.code} of code)`)
    .join('; ');
  return [
    row(
      '@oflink/server source lines (tests and fixtures excluded)',
      '≤ 1600',
      server.lines,
      server.lines <= 1600,
      `${server.files} files; ${server.code} lines that are neither blank nor only a comment; every package: ${all}`,
    ),
    row(
      'longest source file in server, simulator and connections, lines',
      '≤ 300',
      serverSide.lines,
      serverSide.lines <= 300,
      serverSide.path,
    ),
    row(
      'longest source file in core and react, lines',
      '≤ 300',
      browserFile.lines,
      browserFile.lines <= 300,
      browserFile.path,
    ),
    row(
      'longest function in core and react, lines',
      '≤ 40',
      browserFn.lines,
      browserFn.lines <= 40,
      `${browserFn.name} in ${browserFn.path}`,
    ),
    row(
      'names exported by @oflink/core',
      '≤ 25',
      coreNames.length,
      coreNames.length <= 25 && !coreNames.includes('*'),
      `from packages/core/src/index.ts (the bindings' own subpath, @oflink/core/internal, is not counted); @oflink/react: ${exportedNames(join(ROOT, 'packages/react/src/index.ts')).length}`,
    ),
    row(
      'longest function in server, simulator and connections, lines',
      '≤ 40',
      serverFn.lines,
      serverFn.lines <= 40,
      `${serverFn.name} in ${serverFn.path}`,
    ),
  ];
}
