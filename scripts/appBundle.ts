import { gzipSync } from 'node:zlib';

/** What an app already has from its own dependencies: left out of every size figure. */
export const APP_EXTERNAL = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  'react-dom/client',
  '@tanstack/react-query',
];

/**
 * esbuild options for a production browser bundle, as an app's bundler makes it: the one recipe
 * behind the contents test (packages/react/src/bundleContents.test.ts) and the benchmarks (bench/src).
 *
 * @example
 * const result = await build({ ...PRODUCTION_BUILD, stdin, external: APP_EXTERNAL });
 */
export const PRODUCTION_BUILD = {
  bundle: true,
  minify: true,
  format: 'esm',
  write: false,
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'silent',
} as const;

/**
 * Minified output → its gzip size in bytes (level 9, for every size figure of the repository).
 *
 * @example
 * gzipBytes(result.outputFiles[0].contents); // 6004
 */
export const gzipBytes = (contents: Uint8Array): number => gzipSync(contents, { level: 9 }).length;
