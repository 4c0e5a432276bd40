// Installs each example as a user would: from the packed @oflink/* tarballs (not workspace links),
// with npm, into a directory outside the repository, then makes its production build. OFAuth's
// variables are removed from the build's environment: a build must never need them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Where the installed examples live (kept between runs: a second install only refreshes @oflink/*). */
export const WORK = join(tmpdir(), 'oflink-examples');

/** One installed app: an example directory, optionally with React 18 instead of 19. */
export interface Variant {
  name: string;
  example: 'nextjs' | 'vite-express' | 'react-router';
  react18?: boolean;
  /** Adds a page whose client code imports @oflink/server by mistake (built with Turbopack and webpack). */
  mistake?: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'nextjs', example: 'nextjs' },
  { name: 'vite-express', example: 'vite-express' },
  { name: 'vite-express-react18', example: 'vite-express', react18: true },
  { name: 'nextjs-mistake', example: 'nextjs', mistake: true },
  { name: 'react-router', example: 'react-router' },
];

/** The Next builds of the mistake variant: each bundler into its own directory. */
export const MISTAKE_BUILDS = { turbopack: '.next-turbopack', webpack: '.next-webpack' } as const;

const MISTAKE_PAGE = `'use client';
import { createLinkHandler } from '@oflink/server';

export default function Mistake() {
  return <p>{typeof createLinkHandler}</p>;
}
`;
const MISTAKE_CONFIG = `export default { distDir: process.env.NEXT_DIST_DIR || '.next' };
`;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    execFileSync(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 420_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`,
    );
  }
}

/** `pnpm pack` of the packages the examples use (built first when their dist is missing): name → tarball path. */
export function packTarballs(): Record<string, string> {
  const out = join(WORK, 'tarballs');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const tarballs: Record<string, string> = {};
  for (const name of ['core', 'react', 'server', 'connections']) {
    const dir = join(REPO, 'packages', name);
    if (!existsSync(join(dir, 'dist'))) run('pnpm', ['run', 'build'], dir);
    run('pnpm', ['pack', '--pack-destination', out], dir);
  }
  for (const file of readdirSync(out)) {
    const match = /^oflink-(core|react|server|connections)-.*\.tgz$/.exec(file);
    if (match?.[1]) tarballs[`@oflink/${match[1]}`] = join(out, file);
  }
  return tarballs;
}

/** The example's package.json with @oflink/* from the tarballs (and React 18 for that variant). */
function manifest(variant: Variant, tarballs: Record<string, string>): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'examples', variant.example, 'package.json'), 'utf8'));
  for (const [name, file] of Object.entries(tarballs))
    if (pkg.dependencies[name]) pkg.dependencies[name] = `file:${file}`;
  // @oflink/react depends on @oflink/core by version; this one is not on a registry
  pkg.overrides = { '@oflink/core': `file:${tarballs['@oflink/core']}` };
  if (variant.react18) {
    pkg.dependencies.react = '18.3.1';
    pkg.dependencies['react-dom'] = '18.3.1';
  }
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Copies, installs and builds one variant; returns its directory. */
export function install(variant: Variant, tarballs: Record<string, string>): string {
  const dir = join(WORK, variant.name);
  const source = join(REPO, 'examples', variant.example);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (entry !== 'node_modules') rmSync(join(dir, entry), { recursive: true, force: true });
  }
  // the tarballs keep their version from one build to the next: without this, npm would keep the
  // @oflink/* of an earlier run (the lockfile's entry still matches by name and version)
  rmSync(join(dir, 'node_modules', '@oflink'), { recursive: true, force: true });
  cpSync(source, dir, { recursive: true, filter: (p) => !/\/(node_modules|\.next|dist)(\/|$)/.test(p) });
  writeFileSync(join(dir, 'package.json'), manifest(variant, tarballs));
  if (variant.mistake) {
    mkdirSync(join(dir, 'app', 'mistake'), { recursive: true });
    writeFileSync(join(dir, 'app', 'mistake', 'page.tsx'), MISTAKE_PAGE);
    writeFileSync(join(dir, 'next.config.mjs'), MISTAKE_CONFIG);
  }
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  return dir;
}

/** The production build, with no OFAUTH_* variable in its environment. */
export function build(variant: Variant, dir: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
  for (const key of Object.keys(env)) if (key.startsWith('OFAUTH_')) delete env[key];
  const next = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    run('node', ['node_modules/next/dist/bin/next', 'build', ...args], dir, { ...env, ...extra });
  if (variant.mistake) {
    next([], { NEXT_DIST_DIR: MISTAKE_BUILDS.turbopack });
    next(['--webpack'], { NEXT_DIST_DIR: MISTAKE_BUILDS.webpack });
  } else if (variant.example === 'nextjs') next([]);
  else if (variant.example === 'react-router')
    run('node', ['node_modules/@react-router/dev/bin.js', 'build'], dir, env);
  else run('node', ['node_modules/vite/bin/vite.js', 'build'], dir, env);
}
