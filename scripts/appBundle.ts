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
 * behind the client bundles test (packages/react/src/clientBundles.test.ts) and the benchmarks (bench/src).
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

/**
 * The browsers the client packages support (@oflink/core, @oflink/react): the last years of each
 * engine, and the iPhones that cannot update past iOS 16. Declared once: the README says it, the
 * packages' `browserslist` says it, and the contents test builds every client entry for it.
 */
export const BROWSER_RANGE = { chrome: 109, edge: 109, firefox: 115, safari: 16, ios: 16 } as const;

/** esbuild's targets for {@link BROWSER_RANGE}. */
export const BROWSER_TARGETS = Object.entries(BROWSER_RANGE).map(
  ([engine, version]) => `${engine}${version}`,
);

/**
 * Web APIs newer than {@link BROWSER_RANGE} (with the first Safari that has them), found by their
 * name in a bundle: esbuild lowers syntax for the targets, but never an API. A client bundle must
 * hold none of them, or only behind a check the code does first.
 */
export const NEWER_APIS: readonly [api: string, pattern: RegExp][] = [
  ['URL.canParse (Safari 17)', /\bURL\.canParse\b/],
  ['URL.parse (Safari 18)', /\bURL\.parse\(/],
  ['Promise.withResolvers (Safari 17.4)', /\bPromise\.withResolvers\b/],
  ['AbortSignal.any (Safari 17.4)', /\bAbortSignal\.any\b/],
  ['Object.groupBy / Map.groupBy (Safari 17.4)', /\b(?:Object|Map)\.groupBy\b/],
  ['Array.fromAsync (Safari 16.4)', /\bArray\.fromAsync\b/],
  ['toSorted / toReversed / toSpliced (Safari 16)', /\.(?:toSorted|toReversed|toSpliced)\(/],
  ['String isWellFormed / toWellFormed (Safari 16.4)', /\.(?:isWellFormed|toWellFormed)\(/],
  ['Set methods (Safari 17)', /\.(?:symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/],
  ['navigator.userActivation (Safari 16.4)', /\buserActivation\b/],
  ['requestIdleCallback (no Safari)', /\brequestIdleCallback\b/],
];
