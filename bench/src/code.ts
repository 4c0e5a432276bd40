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

type Packages = Record<string, PackageCode>;

const SERVER_SIDE = ['server', 'simulator', 'connections'];
const BROWSER = ['core', 'react'];

/** The longest file or function among the packages `names`. */
function longest<K extends 'longestFile' | 'longestFunction'>(p: Packages, names: string[], key: K) {
  return names.map((n) => p[n] as PackageCode).reduce((a, b) => (b[key].lines > a[key].lines ? b : a))[key];
}

/** A "longest file" row against its ≤ 300 goal. */
function fileRow(p: Packages, names: string[], where: string): Row {
  const file = longest(p, names, 'longestFile');
  return row(`longest source file in ${where}, lines`, '≤ 300', file.lines, file.lines <= 300, file.path);
}

/** A "longest function" row against its ≤ 40 goal. */
function functionRow(p: Packages, names: string[], where: string): Row {
  const fn = longest(p, names, 'longestFunction');
  return row(
    `longest function in ${where}, lines`,
    '≤ 40',
    fn.lines,
    fn.lines <= 40,
    `${fn.name} in ${fn.path}`,
  );
}

function serverLinesRow(p: Packages): Row {
  const server = p.server as PackageCode;
  const all = Object.entries(p)
    .map(([n, c]) => `${n} ${c.files} files, ${c.lines} lines (${c.code} of code)`)
    .join('; ');
  return row(
    '@oflink/server source lines (tests and fixtures excluded)',
    '≤ 1600',
    server.lines,
    server.lines <= 1600,
    `${server.files} files; ${server.code} lines that are neither blank nor only a comment; every package: ${all}`,
  );
}

function coreNamesRow(): Row {
  const names = exportedNames(join(ROOT, 'packages/core/src/index.ts'));
  return row(
    'names exported by @oflink/core',
    '≤ 25',
    names.length,
    names.length <= 25 && !names.includes('*'),
    `from packages/core/src/index.ts (the bindings' own subpath, @oflink/core/internal, is not counted); @oflink/react: ${exportedNames(join(ROOT, 'packages/react/src/index.ts')).length}`,
  );
}

/** Rows of measure 5. */
export async function measureCode(): Promise<Row[]> {
  const p: Packages = Object.fromEntries(
    [...SERVER_SIDE, ...BROWSER, 'protocol'].map((n) => [n, measurePackage(n)]),
  );
  return [
    serverLinesRow(p),
    fileRow(p, SERVER_SIDE, 'server, simulator and connections'),
    fileRow(p, BROWSER, 'core and react'),
    functionRow(p, BROWSER, 'core and react'),
    coreNamesRow(),
    functionRow(p, SERVER_SIDE, 'server, simulator and connections'),
  ];
}
