import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { type Alias, defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const source = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`../../packages/${pkg}/src/${file}`, import.meta.url));
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * `--mode react18` builds the same sources against React 18 (the `react-18` / `react-dom-18`
 * aliases) into dist-react18; otherwise React 19 into dist. The browser packages are taken from
 * source, so the demo builds without a prior package build; @oflink/server is deliberately not
 * aliased (the client never imports it).
 */
export function demoViteConfig(options: { react?: '18' | '19'; outDir?: string } = {}) {
  const react18 = options.react === '18';
  const aliases: Alias[] = [
    { find: /^@oflink\/core$/, replacement: source('core') },
    { find: /^@oflink\/core\/embed$/, replacement: source('core', 'embedEntry.ts') },
    { find: /^@oflink\/core\/internal$/, replacement: source('core', 'internal.ts') },
    { find: /^@oflink\/react$/, replacement: source('react') },
    { find: /^@oflink\/react\/embed$/, replacement: source('react', 'embed.ts') },
  ];
  if (react18) {
    // absolute paths, so that react-dom-18 and react-query (resolved from elsewhere) get React 18 too
    aliases.push(
      { find: /^react-dom(\/.*)?$/, replacement: `${packageDir('react-dom-18')}$1` },
      { find: /^react(\/.*)?$/, replacement: `${packageDir('react-18')}$1` },
    );
  }
  return defineConfig({
    root: here,
    plugins: [react()],
    resolve: { alias: aliases, dedupe: ['react', 'react-dom', '@tanstack/react-query'] },
    build: {
      outDir: options.outDir ?? `${here}/${react18 ? 'dist-react18' : 'dist'}`,
      emptyOutDir: true,
      sourcemap: false,
    },
    logLevel: 'warn',
  });
}

export default defineConfig(({ mode }) => demoViteConfig({ react: mode === 'react18' ? '18' : '19' }));
