import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    // The load test compares the heap after a forced garbage collection (global.gc).
    execArgv: ['--expose-gc'],
  },
});
