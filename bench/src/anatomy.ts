// Where an app's bytes go: the same app as the size rows, bundled from the packages' sources so
// that each source module is one input, with esbuild's count of the bytes each module left in the
// minified output. What explains a size goal that is missed.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { APP_EXTERNAL, PRODUCTION_BUILD } from '../../scripts/appBundle';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

/**
 * The modules of `packages/` in the minified bundle of `entry`, largest first, as
 * `attempt.ts 1,891 B`, with their total.
 *
 * @example
 * await anatomy("export { ConnectButton } from '@oflink/react';"); // 'attempt.ts 1,891 B, …'
 */
export async function anatomy(entry: string, top = 10): Promise<string> {
  const result = await build({
    ...PRODUCTION_BUILD,
    metafile: true,
    stdin: { contents: entry, resolveDir: source('react/src'), loader: 'tsx' },
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
  const output = Object.values(result.metafile.outputs)[0];
  if (!output) throw new Error('esbuild produced no output for the anatomy');
  const modules = Object.entries(output.inputs)
    .map(
      ([path, { bytesInOutput }]) =>
        [
          path === '<stdin>' ? 'the app' : path.replace(/^.*packages\/([^/]+)\/src\//, '$1/'),
          bytesInOutput,
        ] as const,
    )
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = modules.reduce((sum, [, bytes]) => sum + bytes, 0);
  const shown = modules.slice(0, top).map(([path, bytes]) => `${path} ${bytes.toLocaleString('en-US')} B`);
  return `${shown.join(', ')}; ${modules.length} modules, ${total.toLocaleString('en-US')} B minified in all`;
}
