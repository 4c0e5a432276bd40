import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../vitest.shared';

// The browser flows in Chromium, Firefox ESR and WebKitGTK (e2e/engines/): each engine's browser
// starts once per file, each test gets a fresh profile.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    environment: 'node',
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['e2e/engines/**/*.test.ts'],
    globalSetup: ['e2e/engines/globalSetup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
