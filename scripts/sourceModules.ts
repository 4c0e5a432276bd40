// Serves core's and the protocol's TypeScript sources as browser modules for the real-Chromium tests,
// so nothing needs a build first.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const dirs = {
  core: fileURLToPath(new URL('../packages/core/src/', import.meta.url)),
  protocol: fileURLToPath(new URL('../packages/protocol/src/', import.meta.url)),
};

/**
 * Answers `{prefix}{name}` (a core module) or `{prefix}protocol/{name}` (a protocol module): as a
 * development bundle would (`process.env.NODE_ENV` replaced), or `raw`, as native ES modules load
 * them with no bundler (and no `process` in the page). Imports are rewritten to the same prefix.
 */
export function serveSourceModule(path: string, prefix: string, res: ServerResponse, raw = false): void {
  const inProtocol = path.startsWith('protocol/');
  const name = inProtocol ? path.slice('protocol/'.length) : path;
  if (!/^\w+$/.test(name)) {
    res.writeHead(404).end();
    return;
  }
  const text = readFileSync(`${inProtocol ? dirs.protocol : dirs.core}${name}.ts`, 'utf8');
  const source = raw ? text : text.replaceAll('process.env.NODE_ENV', '"development"');
  const js = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  }).outputText;
  const local = inProtocol ? `${prefix}protocol/` : prefix;
  res.writeHead(200, { 'content-type': 'text/javascript' });
  res.end(
    js
      .replace(/from '\.\/(\w+)'/g, `from '${local}$1'`)
      .replace(/from '@oflink\/protocol'/g, `from '${prefix}protocol/index'`),
  );
}
