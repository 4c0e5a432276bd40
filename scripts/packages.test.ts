// Package checks: every @oflink/* package is a real, publishable package.
// - publint and @arethetypeswrong/cli pass on the packed tarball;
// - built React files keep 'use client' as their first line;
// - a consumer outside the workspace installs the packed tarballs and imports them (ESM and CJS),
//   and TypeScript resolves their types (bundler and node16 resolution);
// - importing @oflink/server under the `browser` condition fails with a clear error; Node gets its
//   node:http entry, Workers (`workerd`) and edge (`edge-light`) the fetch entry;
// - Vite 8 (rolldown) and webpack leave the embedded modal out of an app that does not import it.
// Runs after `pnpm build` (the test command builds first).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_EXTERNAL } from './appBundle';
import { codeBlocks } from './markdown';
import { installConsumer, type PackageName, packAll, packages, run } from './packedPackages';

const root = fileURLToPath(new URL('..', import.meta.url));
const tarballs = {} as Record<PackageName, string>;
let work = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'oflink-pack-'));
  Object.assign(tarballs, packAll(work));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(packages)('@oflink/%s', (name) => {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;

  it('declares an ESM package without side effects, with types first in every export condition', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    const exportsMap = manifest.exports as Record<string, unknown>;
    expect(exportsMap['./package.json']).toBe('./package.json');
    const dot = exportsMap['.'] as Record<string, unknown>;
    expect(Object.keys(dot)).toEqual(expect.arrayContaining(['import', 'require']));
    // every object that names files (has a default) names its types first
    const leaves: Record<string, string>[] = [];
    const walk = (node: unknown) => {
      if (node === null || typeof node !== 'object') return;
      const entry = node as Record<string, unknown>;
      if ('default' in entry) leaves.push(entry as Record<string, string>);
      else for (const child of Object.values(entry)) walk(child);
    };
    walk(dot);
    expect(leaves.length).toBeGreaterThanOrEqual(2);
    for (const leaf of leaves) expect(Object.keys(leaf)[0]).toBe('types');
  });

  it('publishes dist and README only, never tests, test kits or stories', () => {
    const listing = run('tar', ['-tzf', tarballs[name]], work).split('\n').filter(Boolean);
    expect(listing.length).toBeGreaterThan(2);
    const leaked = listing.filter((f) => /\.(test|spec|stories|test-d)\.|\/src\/|__tests__|testkit/i.test(f));
    expect(leaked).toEqual([]);
  });

  it('passes publint', async () => {
    const { messages, pkg } = await publint({ pkgDir: dir, level: 'warning', strict: true });
    expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([]);
  });

  it('passes @arethetypeswrong/cli', () => {
    const out = run('pnpm', ['exec', 'attw', tarballs[name], '--format', 'json'], root);
    const report = JSON.parse(out) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  });
});

describe('built React files', () => {
  it("keep 'use client' as their first line", () => {
    const dist = join(root, 'packages', 'react', 'dist');
    const files = readdirSync(dist).filter((f) => /\.(c?js)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(readFileSync(join(dist, f), 'utf8').split('\n')[0]?.replace(/["']/g, "'")).toBe("'use client';");
    }
  });
});

describe('a consumer outside the workspace', () => {
  let app = '';
  beforeAll(() => {
    app = installConsumer(work, tarballs);
  }, 300_000);

  it('imports ConnectButton and createLinkHandler as ES modules', () => {
    writeFileSync(
      join(app, 'esm.mjs'),
      "import { ConnectButton, useLinkSession, useLinkCallback } from '@oflink/react';\n" +
        "import { createLinkHandler } from '@oflink/server';\n" +
        'console.log(JSON.stringify([typeof ConnectButton, typeof useLinkSession, typeof useLinkCallback, typeof createLinkHandler]));\n',
    );
    const printed = JSON.parse(run('node', ['esm.mjs'], app)) as string[];
    expect(printed[0]).toMatch(/^(object|function)$/); // forwardRef returns an object
    expect(printed.slice(1)).toEqual(['function', 'function', 'function']);
  });

  it('requires them as CommonJS', () => {
    writeFileSync(
      join(app, 'cjs.cjs'),
      "const { ConnectButton } = require('@oflink/react');\n" +
        "const { createLinkHandler } = require('@oflink/server');\n" +
        'console.log(JSON.stringify([typeof ConnectButton, typeof createLinkHandler]));\n',
    );
    const printed = JSON.parse(run('node', ['cjs.cjs'], app)) as string[];
    expect(printed[0]).toMatch(/^(object|function)$/);
    expect(printed[1]).toBe('function');
  });

  it.each(['bundler', 'node16'])('type-checks an app with moduleResolution %s', (resolution) => {
    writeFileSync(
      join(app, 'app.tsx'),
      "import { ConnectButton, useConnections, useLinkCallback, type LinkMode, type LinkOutcome } from '@oflink/react';\n" +
        "import { embed } from '@oflink/react/embed';\n" +
        "import { createLinkController } from '@oflink/core';\n" +
        "import { createConnectionStore, type PostgresConnectionStore } from '@oflink/connections';\n" +
        "import { startSimulator } from '@oflink/simulator';\n" +
        "import { createLinkHandler, createOflinkHandler } from '@oflink/server';\n" +
        '// an optional value passed through, under exactOptionalPropertyTypes: no driver types needed\n' +
        'declare const env: { DATABASE_URL?: string };\n' +
        'export const store: PostgresConnectionStore = createConnectionStore({ database: env.DATABASE_URL });\n' +
        'export const oflink = createOflinkHandler({ store, getClientReferenceId: () => null });\n' +
        'export const used = [embed, createLinkController, startSimulator, useConnections];\n' +
        'export const handler: (request: Request) => Promise<Response> = createLinkHandler({\n' +
        "  apiKey: 'sk_sandbox_x',\n" +
        '  getClientReferenceId: async () => "user_1",\n' +
        '});\n' +
        'export function Page({ mode }: { mode?: LinkMode }) {\n' +
        '  const { outcome } = useLinkCallback();\n' +
        '  const o: LinkOutcome | null = outcome;\n' +
        '  return <ConnectButton mode={mode} onSuccess={(s) => console.log(s.connectionId, o)} />;\n' +
        '}\n',
    );
    const module = resolution === 'bundler' ? 'ESNext' : 'Node16';
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          jsx: 'react-jsx',
          skipLibCheck: false,
          module,
          moduleResolution: resolution,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: ['node'],
        },
        files: ['app.tsx'],
      }),
    );
    run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
  });

  it("type-checks every code block of the packages' READMEs against the packed packages, under strict consumer settings", () => {
    const files: string[] = [];
    const extension: Record<string, string> = { ts: 'ts', tsx: 'tsx', js: 'mjs', mjs: 'mjs', jsx: 'jsx' };
    for (const name of packages) {
      const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
      codeBlocks(readme).forEach((block, i) => {
        const ext = extension[block.lang];
        if (!ext) return;
        // a block that names its file (`// lib/oflink.ts`) is that file, which other blocks import;
        // every block is a module of its own
        const named = /^\/\/ ([\w./[\]-]+\.(?:ts|tsx|js|mjs|jsx))\s*$/.exec(
          block.body.split('\n')[0] ?? '',
        )?.[1];
        const file = join(`readme-${name}`, named ?? `block-${i}.${ext}`);
        mkdirSync(dirname(join(app, file)), { recursive: true });
        writeFileSync(
          join(app, file),
          /^\s*(import|export) /m.test(block.body) ? block.body : `${block.body}\nexport {};\n`,
        );
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThanOrEqual(14);
    writeFileSync(
      join(app, 'tsconfig.readme.json'),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          // the frameworks' own declarations do not all check alone (Next's); ours do, with
          // skipLibCheck off, in the type-checks of an app above
          skipLibCheck: true,
          // a JavaScript block is checked as JavaScript: TypeScript syntax in it is an error
          allowJs: true,
          checkJs: true,
          jsx: 'react-jsx',
          module: 'ESNext',
          moduleResolution: 'bundler',
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
        },
        files,
      }),
    );
    run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.readme.json'], app);
  });

  it('gives Node, Workers and edge runtimes the one fetch entry of @oflink/server', () => {
    writeFileSync(join(app, 'resolve.mjs'), "console.log(import.meta.resolve('@oflink/server'));\n");
    writeFileSync(join(app, 'resolve.cjs'), "console.log(require.resolve('@oflink/server'));\n");
    const resolved = (args: string[]) => run('node', args, app).trim();
    expect(resolved(['resolve.mjs'])).toMatch(/\/@oflink\/server\/dist\/index\.js$/);
    expect(resolved(['resolve.cjs'])).toMatch(/\/@oflink\/server\/dist\/index\.cjs$/);
    expect(resolved(['--conditions=workerd', 'resolve.mjs'])).toMatch(/\/@oflink\/server\/dist\/index\.js$/);
    expect(resolved(['--conditions=edge-light', 'resolve.mjs'])).toMatch(
      /\/@oflink\/server\/dist\/index\.js$/,
    );
    // the fetch entry holds no node: import, so a Workers bundle without nodejs_compat builds
    const fetchEntry = fileURLToPath(resolved(['--conditions=workerd', 'resolve.mjs']));
    const files = [fetchEntry, ...readdirSync(dirname(fetchEntry)).map((f) => join(dirname(fetchEntry), f))];
    const reachable = files.filter((f) => /\/(index|chunk-[\w-]+)\.js$/.test(f));
    expect(reachable.length).toBeGreaterThanOrEqual(1);
    for (const f of reachable) expect(readFileSync(f, 'utf8')).not.toMatch(/from\s*["']node:/);
  });

  it('runs the packed connection store on its embedded database, from ESM and CommonJS', () => {
    const script = (load: string) => `${load}
const store = createConnectionStore();
const c = { id: 'conn_packed', status: 'active', userData: { id: '1', name: null, username: 'ada', avatar: null },
  permissions: [], expiredAt: null, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
  clientReferenceId: 'user_1', imported: false, lastCheckedAt: null };
store.record('user_1', c).then(() => store.list('user_1')).then(async (list) => {
  console.log(JSON.stringify(list.map((x) => [x.id, x.status])));
  await store.close();
});
`;
    writeFileSync(
      join(app, 'store.mjs'),
      script("import { createConnectionStore } from '@oflink/connections';"),
    );
    writeFileSync(
      join(app, 'store.cjs'),
      script("const { createConnectionStore } = require('@oflink/connections');"),
    );
    for (const file of ['store.mjs', 'store.cjs'])
      expect(run('node', [file], app).trim()).toBe('[["conn_packed","active"]]');
  });

  it.each(['vite', 'webpack'] as const)(
    'ships the modal only to an app that imports @oflink/react/embed, built by %s',
    (bundler) => {
      const build = (entry: string) =>
        run('node', [join(root, 'scripts/appBuild.mjs'), bundler, entry, JSON.stringify(APP_EXTERNAL)], app);
      writeFileSync(join(app, 'button.js'), "export { ConnectButton } from '@oflink/react';\n");
      writeFileSync(
        join(app, 'withEmbed.js'),
        "export { ConnectButton } from '@oflink/react';\nexport { embed } from '@oflink/react/embed';\n",
      );
      const button = build('button.js');
      const withEmbed = build('withEmbed.js');
      // the popup's window features: proof that the library itself is in both bundles
      for (const code of [button, withEmbed]) expect(code).toContain('popup=yes');
      for (const marker of ['aria-modal', 'exit_requested']) {
        expect(button).not.toContain(marker);
        expect(withEmbed).toContain(marker);
      }
    },
    240_000,
  );

  it('refuses to load @oflink/server under the browser condition, with a message that says why', () => {
    writeFileSync(join(app, 'browser.mjs'), "await import('@oflink/server');\n");
    let message = '';
    try {
      execFileSync('node', ['--conditions=browser', 'browser.mjs'], {
        cwd: app,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('must only run on your server');
  });
});

describe('the packed connection store with only the database driver it uses', () => {
  /** A project with the packed store and `drivers`, nothing else; resolves the node script's output. */
  function project(name: string, drivers: Record<string, string>): string {
    const dir = join(work, name);
    run('mkdir', ['-p', dir], work);
    // the store implements @oflink/server's interface: an app that has one has the other
    const dependencies = {
      '@oflink/connections': `file:${tarballs.connections}`,
      '@oflink/server': `file:${tarballs.server}`,
      ...drivers,
    };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name,
        private: true,
        type: 'module',
        dependencies,
        pnpm: { overrides: { '@oflink/server': `file:${tarballs.server}` } },
      }),
    );
    run(
      'pnpm',
      ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
      dir,
    );
    return dir;
  }
  const probe = (
    database: string | undefined,
  ) => `import { createConnectionStore } from '@oflink/connections';
const store = createConnectionStore(${database === undefined ? '' : `{ database: ${JSON.stringify(database)} }`});
try {
  await store.record('user_1', { id: 'conn_packed', status: 'active', userData: { id: '1', name: null, username: 'ada', avatar: null },
    permissions: [], expiredAt: null, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
    clientReferenceId: 'user_1', imported: false, lastCheckedAt: null });
  console.log(JSON.stringify((await store.list('user_1')).map((c) => c.id)));
} catch (error) {
  console.log(error.code + ': ' + error.message);
} finally {
  await store.close();
}
`;
  const installed = (dir: string, name: string) => readdirSync(join(dir, 'node_modules')).includes(name);

  it('runs on PostgreSQL with only pg installed', async () => {
    const { startPostgres } = await import('../packages/connections/test/postgresServer');
    const pgServer = await startPostgres();
    try {
      const dir = project('only-pg', { pg: '^8.23.1' });
      expect(installed(dir, '@electric-sql')).toBe(false);
      writeFileSync(join(dir, 'probe.mjs'), probe(pgServer.url));
      expect(run('node', ['probe.mjs'], dir).trim()).toBe('["conn_packed"]');
    } finally {
      await pgServer.destroy();
    }
  }, 240_000);

  it('runs embedded with only PGlite installed', () => {
    const dir = project('only-pglite', { '@electric-sql/pglite': '^0.5.17' });
    expect(installed(dir, 'pg')).toBe(false);
    writeFileSync(join(dir, 'probe.mjs'), probe(undefined));
    expect(run('node', ['probe.mjs'], dir).trim()).toBe('["conn_packed"]');
  }, 240_000);

  it('says which package to install when the chosen database has no driver', () => {
    const dir = project('no-driver', {});
    writeFileSync(join(dir, 'embedded.mjs'), probe(undefined));
    writeFileSync(join(dir, 'server.mjs'), probe('postgres://nobody@127.0.0.1:9/none'));
    expect(run('node', ['embedded.mjs'], dir).trim()).toMatch(
      /^driver_missing: .*npm install @electric-sql\/pglite$/,
    );
    expect(run('node', ['server.mjs'], dir).trim()).toMatch(/^driver_missing: .*npm install pg$/);
  }, 240_000);
});
