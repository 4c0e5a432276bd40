import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // a PostgreSQL server starts in the set-up of the server-database tests
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
