// The packed packages of the package checks: each @oflink/* package packed with pnpm into a temp
// directory, and a consumer project outside the workspace that installs those tarballs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The published packages. */
export const packages = ['core', 'react', 'server', 'simulator', 'connections'] as const;
/** One of {@link packages}. */
export type PackageName = (typeof packages)[number];

/** Runs a command; a failure throws with its output. */
export function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`,
    );
  }
}

/** Packs every package (their dist/ must be built) into `work`; each package's tarball. */
export function packAll(work: string): Record<PackageName, string> {
  const tarballs = {} as Record<PackageName, string>;
  for (const name of packages) {
    const dir = join(root, 'packages', name);
    if (!existsSync(join(dir, 'dist')))
      throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
    run('pnpm', ['pack', '--pack-destination', work], dir);
  }
  for (const file of readdirSync(work)) {
    const match = /^oflink-(core|react|server|simulator|connections)-.*\.tgz$/.exec(file);
    if (match) tarballs[match[1] as PackageName] = join(work, file);
  }
  return tarballs;
}

/** The consumer's package.json: the tarballs (also as overrides, for their own dependencies on each other), React, and what the snippets need. */
function consumerManifest(tarballs: Record<PackageName, string>) {
  const overrides = Object.fromEntries(packages.map((p) => [`@oflink/${p}`, `file:${tarballs[p]}`]));
  return {
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies: {
      '@oflink/core': `file:${tarballs.core}`,
      '@oflink/react': `file:${tarballs.react}`,
      '@oflink/server': `file:${tarballs.server}`,
      '@oflink/simulator': `file:${tarballs.simulator}`,
      '@oflink/connections': `file:${tarballs.connections}`,
      // the connection store's embedded database (an optional peer dependency)
      '@electric-sql/pglite': '^0.5.17',
      react: '^19.0.0',
      'react-dom': '^19.0.0',
      '@tanstack/react-query': '^5.0.0',
      '@types/react': '^19.0.0',
      '@types/react-dom': '^19.0.0',
      // what the package READMEs' snippets import besides @oflink/*
      '@types/node': '^20.19.0',
      '@playwright/test': '1.65.1',
      express: '^5.3.0',
      '@types/express': '^5.0.6',
      hono: '^4.13.19',
      next: '16.4.6',
      // the bundlers whose tree-shaking of the embed entry the package tests check
      vite: '^8.3.8',
      webpack: '^5.113.0',
    },
    pnpm: { overrides },
  };
}

/** A consumer project in `work/consumer` with the tarballs installed, and what the READMEs' snippets need. */
export function installConsumer(work: string, tarballs: Record<PackageName, string>): string {
  const app = join(work, 'consumer');
  run('mkdir', ['-p', app], work);
  writeFileSync(join(app, 'package.json'), JSON.stringify(consumerManifest(tarballs)));
  // --prefer-offline: react & co. come from the local pnpm store filled by the workspace install
  run(
    'pnpm',
    ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
    app,
  );
  return app;
}
