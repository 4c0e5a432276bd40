import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'server/**/*.test.ts'],
    // the client is built once (into a temp dir) for the route, bundle and screenshot tests
    globalSetup: ['./vitest.globalSetup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
