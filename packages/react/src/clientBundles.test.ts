// @vitest-environment node
// What an app ships: each public entry bundled from source (react, react-dom and react-query external),
// minified for production. The callback page must not pull the popup or modal code, nor an app
// without the embed entry the modal; and every client entry builds for the declared browser range
// with no API newer than it. Sizes are the bench's (pnpm bench), as ratios, not a test's.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_EXTERNAL, BROWSER_TARGETS, NEWER_APIS, PRODUCTION_BUILD } from '../../../scripts/appBundle';

type Esbuild = {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array; text: string }[] }>;
};
const require = createRequire(import.meta.url);
// esbuild is not a direct dependency: take the one tsup builds the packages with
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
const src = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/src/index.ts`, import.meta.url));

async function bundle(
  entry: string,
  target: string | string[] = PRODUCTION_BUILD.target,
): Promise<{ text: string }> {
  const result = await esbuild.build({
    ...PRODUCTION_BUILD,
    target,
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
  return { text: file.text };
}

describe('what each entry ships (minified, react/react-dom/react-query external)', () => {
  it('keeps the modal out of apps that do not import it, and everything out of the callback page', async () => {
    const button = await bundle("export { ConnectButton } from '@oflink/react';");
    const withEmbed = await bundle(
      "export { ConnectButton } from '@oflink/react'; export { embed } from '@oflink/react/embed';",
    );
    const callback = await bundle("export { useLinkCallback } from '@oflink/react';");
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
  }, 30_000);
});

describe('the declared browser range (Chrome and Edge 109, Firefox 115, Safari and iOS 16)', () => {
  it.each([
    [
      'an app with ConnectButton and the modal',
      "export { ConnectButton } from '@oflink/react'; export { embed } from '@oflink/react/embed';",
    ],
    ['a callback page', "export { useLinkCallback } from '@oflink/react';"],
    ['a connections page', "export { useConnections } from '@oflink/react';"],
    ['the framework-free core', "export * from '@oflink/core'; export { embed } from '@oflink/core/embed';"],
  ])(
    '%s builds for it, with no API newer than it',
    async (_what, entry) => {
      // esbuild refuses syntax it cannot lower for these targets
      const { text } = await bundle(entry, BROWSER_TARGETS);
      expect(NEWER_APIS.filter(([, pattern]) => pattern.test(text)).map(([api]) => api)).toEqual([]);
    },
    30_000,
  );
});
