// Measure 1: what an app ships, min+gzip, built with esbuild from the packed @oflink tarballs the way
// an app installs them, side by side with the same one-line usage of each peer library; the same
// apps also built by Vite 8 (rolldown).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { build } from 'esbuild';
import { appBuild } from '../../scripts/appBuild.mjs';
import { APP_EXTERNAL, gzipBytes, PRODUCTION_BUILD } from '../../scripts/appBundle';
import { anatomy } from './anatomy';
import { BENCH, log, ROOT, type Row, ratio } from './common';

/** The entries: each is one small app file using the library the way its README shows. */
export const ENTRIES = {
  connectButton: `import { ConnectButton } from '@oflink/react';
export function App() { return <ConnectButton mode="popup" onSuccess={(o) => console.log(o.connectionId)} />; }`,
  embedApp: `import { ConnectButton } from '@oflink/react';
import { embed } from '@oflink/react/embed';
export function App() { return <ConnectButton mode="embed" embed={embed} onSuccess={(o) => console.log(o.connectionId)} />; }`,
  firstTime: `import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ConnectButton } from '@oflink/react';
const client = new QueryClient();
export function App() { return <QueryClientProvider client={client}><ConnectButton mode="popup" onSuccess={(o) => console.log(o.connectionId)} /></QueryClientProvider>; }`,
  hookOnly: `import { useLinkSession } from '@oflink/react';
export function App() { const link = useLinkSession({ mode: 'popup', onSuccess: (o) => console.log(o.connectionId) }); return <button type="button" onClick={link.open}>Connect</button>; }`,
  coreOnly: `import { createLinkController, createSessionCache } from '@oflink/core';
const options = () => ({ mode: 'popup' as const, onSuccess: (o: { connectionId: string }) => console.log(o.connectionId) });
const link = createLinkController(options, createSessionCache(options));
document.querySelector('button')?.addEventListener('click', () => link.open());`,
  callback: `import { useLinkCallback } from '@oflink/react';
export function Callback() { const { outcome } = useLinkCallback(); return <p>{outcome?.status}</p>; }`,
  'react-plaid-link': `import { usePlaidLink } from 'react-plaid-link';
export function App() { const { open, ready } = usePlaidLink({ token: 'link-sandbox-x', onSuccess: (t) => console.log(t) }); return <button type="button" disabled={!ready} onClick={() => open()}>Connect</button>; }`,
  '@tryfinch/react-connect': `import { useFinchConnect } from '@tryfinch/react-connect';
export function App() { const { open } = useFinchConnect({ onSuccess: (c) => console.log(c), onError: () => {}, onClose: () => {} }); return <button type="button" onClick={() => open({ sessionId: 's' })}>Connect</button>; }`,
  '@nangohq/frontend': `import Nango from '@nangohq/frontend';
export function App() { return <button type="button" onClick={() => new Nango().openConnectUI({ onEvent: (e) => console.log(e) }).setSessionToken('t')}>Connect</button>; }`,
  '@mergeapi/react-merge-link': `import { useMergeLink } from '@mergeapi/react-merge-link';
export function App() { const { open, isReady } = useMergeLink({ linkToken: 't', onSuccess: (t) => console.log(t) }); return <button type="button" disabled={!isReady} onClick={open}>Connect</button>; }`,
} as const;

/** The minified bundle of `source` from `resolveDir`: React (and by default react-query) external. */
async function minified(source: string, resolveDir: string, external = APP_EXTERNAL): Promise<Uint8Array> {
  const result = await build({
    ...PRODUCTION_BUILD,
    stdin: { contents: source, resolveDir, loader: 'tsx', sourcefile: 'app.tsx' },
    external,
    // what the app itself would install (react-query, when it is bundled), from the bench's own
    nodePaths: [join(BENCH, 'node_modules')],
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.contents;
}

/** Minified + gzipped size of `source` bundled from `resolveDir`, with React and react-query external. */
export async function gzipSize(source: string, resolveDir: string): Promise<number> {
  return gzipBytes(await minified(source, resolveDir));
}

/** The same bundle compressed with brotli (quality 11), as CDNs serve it. */
async function brotliSize(source: string, resolveDir: string): Promise<number> {
  const bytes = await minified(source, resolveDir);
  return brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

/**
 * The same app built by Vite 8 (rolldown) as an app build (not a library build), minified, with
 * the same externals: its gzip size, and whether the embedded modal's code is in it.
 */
async function rolldownBuild(source: string, dir: string): Promise<{ gzip: number; hasModal: boolean }> {
  const entry = join(dir, `entry-${Date.now()}.tsx`);
  writeFileSync(entry, source);
  // vite.build sets process.env.NODE_ENV for the whole process: the later measures need it as it was
  const nodeEnv = process.env.NODE_ENV;
  // the packages from the install in `dir`, Vite from the workspace
  const code = await appBuild('vite', entry, {
    root: dir,
    external: APP_EXTERNAL,
    bundlerFrom: ROOT,
  }).finally(() => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  });
  if (!code) throw new Error('vite build produced no code');
  return { gzip: gzipBytes(new TextEncoder().encode(code)), hasModal: code.includes('aria-modal') };
}

/** Builds core and react, packs them and unpacks the tarballs into a temp project's node_modules. */
function installPacked(): { dir: string; cleanup: () => void } {
  log('size: pnpm build of @oflink/core and @oflink/react');
  execFileSync('pnpm', ['--filter', '@oflink/core', '--filter', '@oflink/react', 'run', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'oflink-bench-size-'));
  const packs = join(dir, 'packs');
  mkdirSync(packs);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'size-app', private: true, type: 'module' }),
  );
  for (const name of ['core', 'react']) {
    execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(ROOT, 'packages', name),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(packs).find((f) => f.startsWith(`oflink-${name}-`) && f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack of packages/${name} produced no tarball`);
    // what `npm install ./oflink-x.tgz` puts on disk: the tarball's package/ folder
    const target = join(dir, 'node_modules', '@oflink', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(packs, tarball), '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (dep !== '@oflink/core' || range.startsWith('workspace:'))
        throw new Error(
          `packed @oflink/${name} depends on ${dep}@${range}: the bench only installs @oflink/*`,
        );
    }
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const PEERS = [
  'react-plaid-link',
  '@tryfinch/react-connect',
  '@nangohq/frontend',
  '@mergeapi/react-merge-link',
] as const;

/** Every figure of measure 1, from one install of the packed packages. */
async function sizeFigures(dir: string) {
  const react = APP_EXTERNAL.filter((x) => x !== '@tanstack/react-query');
  const peers: [string, number][] = [];
  for (const peer of PEERS) peers.push([peer, await gzipSize(ENTRIES[peer], BENCH)]);
  // where the bytes go: what explains a missed goal
  const [buttonParts, embedParts, callbackParts] = await Promise.all(
    [ENTRIES.connectButton, ENTRIES.embedApp, ENTRIES.callback].map((entry) => anatomy(entry)),
  );
  return {
    button: await gzipSize(ENTRIES.connectButton, dir),
    withEmbed: await gzipSize(ENTRIES.embedApp, dir),
    callback: await gzipSize(ENTRIES.callback, dir),
    buttonBrotli: await brotliSize(ENTRIES.connectButton, dir),
    viteButton: await rolldownBuild(ENTRIES.connectButton, dir),
    viteEmbed: await rolldownBuild(ENTRIES.embedApp, dir),
    firstTime: gzipBytes(await minified(ENTRIES.firstTime, dir, react)),
    hookOnly: await gzipSize(ENTRIES.hookOnly, dir),
    coreOnly: await gzipSize(ENTRIES.coreOnly, dir),
    peers,
    parts: { button: buttonParts, embed: embedParts, callback: callbackParts },
  };
}

const sizeRow = (
  measure: string,
  goal: string,
  measured: number,
  baseline: number | null,
  met: boolean | null,
  note: string,
): Row => ({
  area: 'size',
  measure,
  goal,
  measured,
  baseline,
  ratio: baseline === null ? null : ratio(measured, baseline),
  met,
  unit: 'B',
  note,
});

const WHERE =
  'where the bytes go (from source: the gzip bytes each module adds, the bundle gzipped with and without its code, and its minified bytes)';

/** The rows of the figures: ours with their goals, then the other builds, then the peers. */
type SizeFigures = Awaited<ReturnType<typeof sizeFigures>>;

/** The rows with a goal: the ConnectButton app, with embed mode, and the callback page. */
function goalRows(f: SizeFigures): Row[] {
  const { button, withEmbed, callback } = f;
  const smallest = f.peers.reduce((a, b) => (b[1] < a[1] ? b : a));
  const app = `baseline: smallest peer (${smallest[0]}); ${WHERE}: ${f.parts.button}`;
  return [
    sizeRow('app importing ConnectButton (min+gzip)', '≤ 4500 B', button, smallest[1], button <= 4500, app),
    sizeRow(
      'the same app with embed mode (ConnectButton + @oflink/react/embed, min+gzip)',
      '≤ 6500 B',
      withEmbed,
      button,
      withEmbed <= 6500,
      `baseline column: the app without embed mode; ${WHERE}: ${f.parts.embed}`,
    ),
    sizeRow(
      'callback page importing useLinkCallback (min+gzip)',
      '≤ 1800 B',
      callback,
      null,
      callback <= 1800,
      `no peer ships a callback-page entry; ${WHERE}: ${f.parts.callback}`,
    ),
  ];
}

/** The same apps built by Vite 8 (with or without the modal, as asked), in brotli, and with react-query. */
function buildRows(f: SizeFigures): Row[] {
  return [
    ...viteRows(f),
    sizeRow(
      'app importing ConnectButton, brotli (min+brotli 11)',
      '—',
      f.buttonBrotli,
      f.button,
      null,
      'baseline column: the gzip figure of the same bundle',
    ),
    sizeRow(
      'app importing ConnectButton, first time: react-query and its provider bundled too (min+gzip)',
      '—',
      f.firstTime,
      f.button,
      null,
      'for an app that does not already use @tanstack/react-query: the QueryClient and its provider in the bundle; React still external',
    ),
  ];
}

/** The apps built by Vite 8, each with or without the modal's code as it should be. */
function viteRows(f: SizeFigures): Row[] {
  const { button, withEmbed, viteButton, viteEmbed } = f;
  const modal = (has: boolean, expected: boolean) =>
    has === expected ? (has ? 'in' : 'not in') : has ? 'IN' : 'MISSING from';
  const esbuild = 'baseline column: the esbuild figure of the same app';
  const vite = 'built by Vite 8 (rolldown) (min+gzip)';
  return [
    sizeRow(
      `app importing ConnectButton, ${vite}`,
      '—',
      viteButton.gzip,
      button,
      null,
      `${esbuild}; the embedded modal's code is ${modal(viteButton.hasModal, false)} it`,
    ),
    sizeRow(
      `the same app with embed mode, ${vite}`,
      '—',
      viteEmbed.gzip,
      withEmbed,
      null,
      `${esbuild}; the embedded modal's code is ${modal(viteEmbed.hasModal, true)} it`,
    ),
  ];
}

/** The ConnectButton app's layers: the hook without the component, the controller without React. */
function layerRows(f: SizeFigures): Row[] {
  const { button, hookOnly, coreOnly } = f;
  return [
    sizeRow(
      'useLinkSession and a plain button, no ConnectButton (min+gzip)',
      '—',
      hookOnly,
      button,
      null,
      `baseline column: the ConnectButton app; ConnectButton itself (its props split, hover and focus prefetch, states, asChild) adds ${button - hookOnly} B`,
    ),
    sizeRow(
      'the controller alone, no React: createLinkController + createSessionCache of @oflink/core (min+gzip)',
      '—',
      coreOnly,
      button,
      null,
      `baseline column: the ConnectButton app; the popup and redirect flow with its checks, state, events and session cache, without any binding; the React binding and react-query's cache add ${button - coreOnly} B`,
    ),
  ];
}

function sizeRows(f: SizeFigures): Row[] {
  const [button, withEmbed, callback] = goalRows(f) as [Row, Row, Row];
  const peers = f.peers.map(([peer, size]) =>
    sizeRow(
      `peer: ${peer} one-line usage (min+gzip)`,
      '—',
      size,
      f.button,
      null,
      'baseline column: our ConnectButton app; ratio = peer / ours',
    ),
  );
  return [button, withEmbed, ...buildRows(f), ...layerRows(f), callback, ...peers];
}

/** Rows of measure 1. */
export async function measureSize(): Promise<Row[]> {
  const app = installPacked();
  try {
    const figures = await sizeFigures(app.dir);
    log(
      `size: ConnectButton ${figures.button} B, useLinkCallback ${figures.callback} B, peers ${JSON.stringify(figures.peers)}`,
    );
    return sizeRows(figures);
  } finally {
    app.cleanup();
  }
}
