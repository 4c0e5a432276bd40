import { defineConfig } from 'tsup';

// Only declarations: the packages that use the protocol bundle its sources and inline these types,
// so their published files name nothing of this private package.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: { only: true },
  outDir: 'types',
  clean: true,
});
