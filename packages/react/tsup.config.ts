import { defineConfig } from 'tsup';

// Every public module of @oflink/react uses hooks or handlers, so the whole bundle is a client module.
// esbuild drops module-level directives when bundling; the banner puts 'use client' back as line 1.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2020',
  platform: 'browser',
  external: ['react', 'react-dom', '@tanstack/react-query', '@oflink/core'],
  banner: { js: "'use client';" },
});
