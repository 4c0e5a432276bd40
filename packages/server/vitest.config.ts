import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    // Every test talks HTTP to a real simulator; on a shared, loaded machine 5 s is too tight.
    testTimeout: 30_000,
  },
});
