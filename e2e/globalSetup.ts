import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DEMO_BUILDS, demoClientDir, REPO_ROOT } from './support/builds';

/** Newest modification time of the files under `path` (tests and stories included: cheap and safe). */
function newest(path: string): number {
  if (!statSync(path).isDirectory()) return statSync(path).mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('dist')) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

function run(args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync('pnpm', args, {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0)
    throw new Error(`pnpm ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Builds the demo clients the projects serve when a build is missing or older than its sources, so
 * the suite never runs a stale bundle: the production builds (React 19 → apps/demo/dist, React 18 →
 * apps/demo/dist-react18, by `pnpm --filter demo build`) and development builds of both (where
 * StrictMode double-invokes effects and the libraries log why they ignored a message), kept out of
 * the repository under node_modules/.cache.
 */
export default function globalSetup(): void {
  const sourceTime = Math.max(
    ...[
      'apps/demo/src',
      'apps/demo/index.html',
      'apps/demo/vite.config.ts',
      'packages/core/src',
      'packages/react/src',
    ].map((p) => newest(join(REPO_ROOT, p))),
  );
  const stale = (build: (typeof DEMO_BUILDS)[number]) => {
    const index = join(demoClientDir(build), 'index.html');
    return !existsSync(index) || statSync(index).mtimeMs < sourceTime;
  };
  if (stale('react19') || stale('react18')) run(['--filter', 'demo', 'build']);
  for (const build of ['react19-dev', 'react18-dev'] as const) {
    if (!stale(build)) continue;
    run(
      // the demo's vite config picks React 18 for the mode `react18`; NODE_ENV picks React's dev build
      [
        '--filter',
        'demo',
        'exec',
        'vite',
        'build',
        '--mode',
        build === 'react18-dev' ? 'react18' : 'development',
        '--outDir',
        demoClientDir(build),
        '--emptyOutDir',
      ],
      { NODE_ENV: 'development' },
    );
  }
}
