import { defineConfig } from 'vitest/config';

// Package checks run against the built dist/ and packed tarballs (see scripts/packages.test.ts).
export default defineConfig({
  test: {
    include: ['scripts/packages.test.ts', 'scripts/readme.test.ts', 'scripts/structure.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
