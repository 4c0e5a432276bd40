#!/usr/bin/env node
// Runs every suite of the repository, in order, and ends with one line `N passed, N failed`.
//
// Suites are discovered, so a package only has to add a config file to be part of the run:
//   - a check (typecheck, lint, build, package checks) counts as one test;
//   - every `vitest.config.ts` under packages/* and apps/*, every `vitest.react18.config.ts`
//     (the same tests against React 18), and the root `vitest.storybook.config.ts`, counted
//     per test from Vitest's JSON report;
//   - the root `playwright.config.ts` (end-to-end in Chromium), `e2e/vitest.engines.config.ts` (the
//     browser flows in Chromium, Firefox and WebKit) and `examples/playwright.config.ts` (the example
//     apps installed from the packed tarballs), counted per test.
// Tests may write figures (reliability, security) as JSON files into `.test-output/figures/`;
// they are printed as one table at the end of the run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.test-output');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'figures'), { recursive: true });
process.env.OFLINK_TEST_OUTPUT = out;

const only = process.argv.slice(2); // optional filter: names of suites to run
const results = [];
/** Names of the tests that failed, with the first line of why, printed again just above the summary. */
const failures = [];
const firstLine = (text) =>
  String(text ?? '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colours of reporters
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? '';

function run(cmd, args, cwd = root, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), ms: Date.now() - started }));
    child.on('error', () => resolve({ code: 127, ms: Date.now() - started }));
  });
}

function wanted(name) {
  return only.length === 0 || only.some((o) => name.includes(o));
}

async function check(name, cmd, args, cwd) {
  if (!wanted(name)) return;
  console.log(`\n━━ ${name}: ${cmd} ${args.join(' ')}`);
  const { code, ms } = await run(cmd, args, cwd);
  results.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, ms });
}

/** Passed and failed tests of a vitest JSON report (none when it is missing); each failure is listed. */
function vitestCounts(name, report) {
  if (!existsSync(report)) return { passed: 0, failed: 0 };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const passed = json.numPassedTests ?? 0;
  // skipped and todo tests count as failures: a skipped test is a failing test
  let failed = (json.numFailedTests ?? 0) + (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  for (const file of json.testResults ?? []) {
    const where = relative(root, file.name ?? '');
    // a suite that failed to load (syntax error, missing import) has no tests but must fail
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
      failed++;
      failures.push(`${name} › ${where}: ${firstLine(file.message)}`);
    }
    for (const t of file.assertionResults ?? [])
      if (t.status !== 'passed')
        failures.push(
          `${name} › ${where} › ${t.fullName ?? t.title} [${t.status}]: ${firstLine(t.failureMessages?.[0])}`,
        );
  }
  return { passed, failed };
}

async function vitestSuite(name, cwd, config, extraArgs = []) {
  if (!wanted(name)) return;
  const report = join(out, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  console.log(`\n━━ ${name}: vitest run --config ${config}`);
  const { code, ms } = await run(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      '--config',
      config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...extraArgs,
    ],
    cwd,
  );
  let { passed, failed } = vitestCounts(name, report);
  if (code !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1; // a suite that ran nothing is a failure
  results.push({ name, passed, failed, ms });
}

async function playwrightSuite(name, config) {
  if (!wanted(name)) return;
  const report = join(out, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  console.log(`\n━━ ${name}: playwright test`);
  const { code, ms } = await run('pnpm', ['exec', 'playwright', 'test', '--config', config], root, {
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const s = json.stats ?? {};
    passed = (s.expected ?? 0) + (s.flaky ?? 0);
    failed = (s.unexpected ?? 0) + (s.skipped ?? 0);
    const walk = (suite, titles) => {
      for (const spec of suite.specs ?? [])
        for (const test of spec.tests ?? [])
          if (test.status === 'unexpected' || test.status === 'skipped' || test.status === 'flaky') {
            const last = test.results?.[test.results.length - 1];
            failures.push(
              `${name} › [${test.projectName}] ${[...titles, spec.title].join(' › ')} (${spec.file}:${spec.line}) [${test.status}]: ${firstLine(last?.error?.message)}`,
            );
          }
      for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
    };
    for (const suite of json.suites ?? []) walk(suite, []);
  }
  if (code !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1;
  results.push({ name, passed, failed, ms });
  if (failed > 0)
    console.log(`${name} failures keep their traces and screenshots under ${join(root, 'test-results')}`);
}

const dirs = (parent) =>
  existsSync(join(root, parent))
    ? readdirSync(join(root, parent), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, parent, d.name))
    : [];

await check('typecheck', 'pnpm', ['typecheck']);
await check('lint', 'pnpm', ['lint']);
await check('build', 'pnpm', ['build']);

for (const dir of [...dirs('packages'), ...dirs('apps'), join(root, 'bench')]) {
  const label = relative(root, dir);
  if (existsSync(join(dir, 'vitest.config.ts'))) await vitestSuite(`unit ${label}`, dir, 'vitest.config.ts');
  if (existsSync(join(dir, 'vitest.react18.config.ts')))
    await vitestSuite(`unit ${label} (React 18)`, dir, 'vitest.react18.config.ts');
}

if (existsSync(join(root, 'scripts', 'vitest.packages.config.ts')))
  await vitestSuite('package checks', root, 'scripts/vitest.packages.config.ts');

if (existsSync(join(root, '.storybook', 'main.ts'))) {
  await check('storybook build', 'pnpm', ['build-storybook']);
  if (existsSync(join(root, 'vitest.storybook.config.ts')))
    await vitestSuite('storybook stories', root, 'vitest.storybook.config.ts');
}

if (existsSync(join(root, 'playwright.config.ts')))
  await playwrightSuite('e2e chromium', 'playwright.config.ts');

// the browser flows in Chromium, Firefox ESR and WebKitGTK
if (existsSync(join(root, 'e2e', 'vitest.engines.config.ts')))
  await vitestSuite('e2e three engines', root, 'e2e/vitest.engines.config.ts');

// the example apps, installed from the packed tarballs with npm and built for production
if (existsSync(join(root, 'examples', 'playwright.config.ts')))
  await playwrightSuite('examples chromium', 'examples/playwright.config.ts');

// Figures written by tests (fuzzing, fault matrix, load, leaks, …)
const figuresDir = join(out, 'figures');
const figures = readdirSync(figuresDir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(readFileSync(join(figuresDir, f), 'utf8')));
if (figures.length > 0) {
  console.log('\nReliability and security figures');
  const rows = figures.map((r) => [
    String(r.area ?? ''),
    String(r.measure ?? ''),
    String(r.value ?? ''),
    String(r.goal ?? ''),
  ]);
  const head = ['area', 'measure', 'value', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

console.log('\nSuites');
for (const r of results)
  console.log(
    `  ${r.failed ? '✗' : '✓'} ${r.name.padEnd(34)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed  ${(r.ms / 1000).toFixed(1)}s`,
  );
if (failures.length > 0) {
  console.log('\nFailed tests');
  for (const f of failures) console.log(`  ✗ ${f}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
