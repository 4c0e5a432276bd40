// React 18 matrix: packages loaded by Node itself (react-dom's CommonJS `require('react')`, the testing
// library's CJS build) bypass Vite's aliases, so point Node's resolver at react-18 / react-dom-18 as well.
import Module from 'node:module';
import { dirname } from 'node:path';

const require = Module.createRequire(import.meta.url);
const roots: Record<string, string> = {
  react: dirname(require.resolve('react-18/package.json')),
  'react-dom': dirname(require.resolve('react-dom-18/package.json')),
};
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = M._resolveFilename;
M._resolveFilename = function resolveReact18(this: unknown, request: string, ...rest: unknown[]) {
  const match = /^(react|react-dom)(\/.*)?$/.exec(request);
  const target = match?.[1] ? `${roots[match[1]]}${match[2] ?? ''}` : request;
  return original.call(this, target, ...rest);
};
