// One app entry built for production the way an app's own bundler builds it: Vite 8 (rolldown) or
// webpack 5, as an app build (not a library build), minified, with React and react-query external.
// Used by the package checks (in a consumer project, from its own installs) and by the bench.
//   node appBuild.mjs <vite|webpack> <entry file> '<external ids as JSON>'  → prints the code
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The minified code of `entry`, built in `root` by `bundler` (the copy `bundlerFrom`, by default
 * `root`, resolves).
 *
 * @example
 * const code = await appBuild('webpack', 'app.js', { root: process.cwd(), external: ['react'] });
 */
export async function appBuild(bundler, entry, { root, external, bundlerFrom = root }) {
  const from = createRequire(join(bundlerFrom, 'package.json'));
  const load = (name) => import(pathToFileURL(from.resolve(name)).href);
  const input = resolve(root, entry);
  if (bundler === 'vite') return viteBuild(await load('vite'), root, input, external);
  if (bundler === 'webpack') return webpackBuild((await load('webpack')).default, root, input, external);
  throw new Error(`appBuild: unknown bundler ${bundler}`);
}

async function viteBuild({ build }, root, input, external) {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      rolldownOptions: { input, preserveEntrySignatures: 'exports-only', external },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  return outputs.flatMap((o) => o.output.map((c) => c.code ?? '')).join('');
}

async function webpackBuild(webpack, root, input, external) {
  const outDir = mkdtempSync(join(tmpdir(), 'oflink-webpack-'));
  try {
    const stats = await new Promise((done, fail) =>
      webpack(
        {
          mode: 'production',
          context: root,
          entry: input,
          target: 'web',
          externals: external,
          externalsType: 'module',
          experiments: { outputModule: true },
          output: { path: outDir, filename: 'app.js', library: { type: 'module' } },
        },
        (error, result) => (error ? fail(error) : done(result)),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
    return readFileSync(join(outDir, 'app.js'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [bundler, entry, external] = process.argv.slice(2);
  process.stdout.write(
    await appBuild(bundler, entry, { root: process.cwd(), external: JSON.parse(external) }),
  );
}
