// @vitest-environment node
// What an app ships: each public entry bundled from source (react, react-dom and react-query external),
// minified for production and gzipped. The callback page must not pull the popup or modal code.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_EXTERNAL, gzipBytes, PRODUCTION_BUILD } from '../../../scripts/appBundle';
import { writeFigures } from '../../../scripts/figures';

type Esbuild = {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array; text: string }[] }>;
};
const require = createRequire(import.meta.url);
// esbuild is not a direct dependency: take the one tsup builds the packages with
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
const src = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/src/index.ts`, import.meta.url));

async function measure(entry: string): Promise<{ gzip: number; text: string }> {
  const result = await esbuild.build({
    ...PRODUCTION_BUILD,
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    external: APP_EXTERNAL,
    alias: {
      '@oflink/core/embed': fileURLToPath(new URL('../../core/src/embedEntry.ts', import.meta.url)),
      '@oflink/core/internal': fileURLToPath(new URL('../../core/src/internal.ts', import.meta.url)),
      '@oflink/react/embed': fileURLToPath(new URL('./embed.ts', import.meta.url)),
      '@oflink/core': src('core'),
      '@oflink/react': src('react'),
    },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return { gzip: gzipBytes(file.contents), text: file.text };
}

const WITH_EMBED_CEILING = 8500;

describe('bundle size (min+gzip, react/react-dom/react-query external)', () => {
  it('keeps the modal out of apps that do not import it, and everything out of the callback page', async () => {
    const button = await measure("export { ConnectButton } from '@oflink/react';");
    const withEmbed = await measure(
      "export { ConnectButton } from '@oflink/react'; export { embed } from '@oflink/react/embed';",
    );
    const callback = await measure("export { useLinkCallback } from '@oflink/react';");
    console.log(
      `ConnectButton ${button.gzip} B, with embed ${withEmbed.gzip} B, useLinkCallback ${callback.gzip} B`,
    );
    for (const marker of ['popup=yes', 'session_requested']) {
      expect(button.text).toContain(marker);
      expect(withEmbed.text).toContain(marker);
      expect(callback.text).not.toContain(marker);
    }
    for (const marker of ['aria-modal', 'exit_requested']) {
      expect(withEmbed.text).toContain(marker);
      expect(button.text).not.toContain(marker);
      expect(callback.text).not.toContain(marker);
    }
    // the connections list is only in apps that use it
    expect(button.text).not.toContain('connections_request_failed');
    // regression ceilings, a little above the current figures (6,288 B, 8,488 B and 2,165 B); the
    // goals (3,000 B, 5,000 B and 1,000 B) are reported in the figures table and by pnpm bench
    expect(button.gzip).toBeLessThan(6300);
    expect(withEmbed.gzip).toBeLessThan(WITH_EMBED_CEILING);
    expect(callback.gzip).toBeLessThan(2180);
    writeFigures('react-bundle-size', [
      {
        area: 'bundle',
        measure: 'ConnectButton export alone, from source (B min+gzip; the app figure is in pnpm bench)',
        value: button.gzip,
        goal: '≤ 3000',
      },
      {
        area: 'bundle',
        measure: 'ConnectButton with the embed entry, from source (B min+gzip)',
        value: withEmbed.gzip,
        goal: '≤ 5000',
      },
      {
        area: 'bundle',
        measure: 'useLinkCallback export alone, from source (B min+gzip)',
        value: callback.gzip,
        goal: '≤ 1000',
      },
    ]);
  }, 30_000);
});
