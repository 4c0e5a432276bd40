import { defineConfig } from 'tsup';

// Every public module of @oflink/react uses hooks or handlers, so the whole bundle is a client module.
// esbuild drops module-level directives when bundling; the banner puts 'use client' back as line 1.
// One output module per source module: with `sideEffects: false`, a callback page importing only
// useLinkCallback never pulls ConnectButton, the controller or the popup/embed code.
export default defineConfig({
  entry: [
    'src/*.ts',
    'src/*.tsx',
    '!src/*.test.ts',
    '!src/*.test.tsx',
    '!src/*.stories.tsx',
    '!src/*.test-d.ts',
    '!src/*TestKit.tsx',
  ],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/embed.ts'] },
  clean: true,
  target: 'es2022',
  platform: 'browser',
  external: ['react', 'react-dom', '@tanstack/react-query', '@oflink/core'],
  banner: { js: "'use client';" },
  esbuildOptions(options) {
    options.define = { ...options.define, 'process.env.NODE_ENV': 'process.env.NODE_ENV' };
  },
});
