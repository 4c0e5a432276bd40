import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: {
    entry: 'src/index.ts',
    resolve: ['@oflink/protocol'],
    // the protocol's declarations, bundled into one file by its own build, are inlined here
    compilerOptions: { paths: { '@oflink/protocol': ['../protocol/types/index.d.ts'] } },
  },
  clean: true,
  // the wire protocol is a private workspace package: bundled in, so users install nothing more
  noExternal: ['@oflink/protocol'],
  external: ['@electric-sql/pglite', 'pg'],
  target: 'es2022',
  platform: 'node',
});
