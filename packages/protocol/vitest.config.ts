import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    // property tests and real-Chromium tests run on shared 2-core machines: generous per-test limits
    testTimeout: 30_000,
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
