// Where an app's bytes go: the same app as the size rows, bundled from the packages' sources so
// that each source module is one input. For each module, esbuild's count of the bytes it left in
// the minified output, and what it adds to the gzip size (the bundle gzipped with and without the
// code its source map attributes to it). What explains a size goal that is missed.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { APP_EXTERNAL, gzipBytes, PRODUCTION_BUILD } from '../../scripts/appBundle';
import { rangesOf, without } from './sourceRanges';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

/** `packages/core/src/popup.ts` → `core/popup.ts`; the entry → `the app`. */
const shortName = (path: string) =>
  path === '<stdin>' || path.endsWith('app.tsx')
    ? 'the app'
    : path.replace(/^.*packages\/([^/]+)\/src\//, '$1/');

/** The app bundled from source, minified, with its source map and esbuild's metafile. */
async function bundle(entry: string) {
  const result = await build({
    ...PRODUCTION_BUILD,
    metafile: true,
    sourcemap: 'external',
    outfile: 'app.js',
    stdin: { contents: entry, resolveDir: source('react/src'), loader: 'tsx', sourcefile: 'app.tsx' },
    external: APP_EXTERNAL,
    alias: {
      // subpaths first: an alias also matches the ids under it
      '@oflink/core/internal': source('core/src/internal.ts'),
      '@oflink/core/embed': source('core/src/embedEntry.ts'),
      '@oflink/react/embed': source('react/src/embed.ts'),
      '@oflink/core': source('core/src/index.ts'),
      '@oflink/react': source('react/src/index.ts'),
      '@oflink/protocol': source('protocol/src/index.ts'),
    },
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'))?.text;
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
  if (code === undefined || map === undefined || !output)
    throw new Error('esbuild produced no bundle to measure');
  return { code, map: JSON.parse(map) as { sources: string[]; mappings: string }, inputs: output.inputs };
}

/** Per module: minified bytes (esbuild's count) and the gzip bytes the bundle loses without it. */
async function modules(entry: string) {
  const { code, map, inputs } = await bundle(entry);
  const full = gzipBytes(new TextEncoder().encode(code));
  const ranges = rangesOf(
    map.mappings,
    code.split('\n').map((line) => line.length),
  );
  // each source's short name, once: the module a range belongs to
  const names = map.sources.map(shortName);
  return Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([path, { bytesInOutput }]) => {
      const name = shortName(path);
      const rest = without(code, ranges, (i) => names[i] === name);
      return { name, minified: bytesInOutput, gzip: full - gzipBytes(new TextEncoder().encode(rest)) };
    })
    .sort((a, b) => b.gzip - a.gzip);
}

/**
 * The modules of `packages/` in the minified bundle of `entry`, most gzip bytes first, as
 * `core/popup.ts 603 B gz (1,589 B min)`, with their totals.
 *
 * @example
 * await anatomy("export { ConnectButton } from '@oflink/react';"); // 'core/attempt.ts 702 B gz (1,904 B min), …'
 */
export async function anatomy(entry: string, top = 10): Promise<string> {
  const list = await modules(entry);
  const n = (x: number) => x.toLocaleString('en-US');
  const shown = list.slice(0, top).map((m) => `${m.name} ${n(m.gzip)} B gz (${n(m.minified)} B min)`);
  const minified = list.reduce((sum, m) => sum + m.minified, 0);
  return `${shown.join(', ')}; ${list.length} modules, ${n(minified)} B minified in all`;
}
