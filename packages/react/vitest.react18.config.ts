import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

// The same tests against React 18: react / react-dom resolve to the `react-18` / `react-dom-18` npm aliases.
const dir = (name: string) => fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      ...Object.entries(workspaceAliases).map(([find, replacement]) => ({ find, replacement })),
      { find: /^react$/, replacement: dir('react-18') },
      { find: /^react\/(.*)$/, replacement: `${dir('react-18')}/$1` },
      { find: /^react-dom$/, replacement: dir('react-dom-18') },
      { find: /^react-dom\/(.*)$/, replacement: `${dir('react-dom-18')}/$1` },
    ],
  },
  test: {
    // inlined so that their own imports of react / react-dom go through the aliases above
    server: { deps: { inline: ['@testing-library/react', '@tanstack/react-query'] } },
    // property tests and real-Chromium tests run on shared 2-core machines: generous per-test limits
    testTimeout: 30_000,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    env: { OFLINK_EXPECT_REACT: '18' },
    setupFiles: ['./vitest.react18.setup.ts'],
  },
});
