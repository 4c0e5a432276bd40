import { defineConfig } from 'tsup';

export default defineConfig({
  // one output module per source module: with `sideEffects: false`, bundlers drop every module an app
  // does not import (the callback page never pulls the popup/embed code)
  entry: ['src/*.ts', '!src/*.test.ts', '!src/*.test-d.ts', '!src/*TestKit.ts'],
  format: ['esm', 'cjs'],
  dts: {
    entry: ['src/index.ts', 'src/embedEntry.ts', 'src/internal.ts'],
    resolve: ['@oflink/protocol'],
    // the protocol's declarations, bundled into one file by its own build, are inlined here
    compilerOptions: { paths: { '@oflink/protocol': ['../protocol/types/index.d.ts'] } },
  },
  clean: true,
  // the wire protocol is a private workspace package: bundled in, so users install nothing more
  noExternal: ['@oflink/protocol'],
  target: 'es2022',
  platform: 'browser',
  sourcemap: false,
  // keep `process.env.NODE_ENV` for the app's bundler (esbuild would inline "development" for the browser)
  esbuildOptions(options) {
    options.define = { ...options.define, 'process.env.NODE_ENV': 'process.env.NODE_ENV' };
  },
});
