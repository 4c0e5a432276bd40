import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['node:http', 'node:crypto', 'node:stream', 'node:buffer'],
});
