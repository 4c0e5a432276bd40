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
 * Answers `{prefix}{path}`: a core module (`controller`) or a protocol module (`protocol/index`,
 * `protocol/ofauth/ids`), as a development bundle would (`process.env.NODE_ENV` replaced), or
 * `raw`, as native ES modules load them with no bundler (and no `process` in the page). Relative
 * imports are rewritten to URLs under the same prefix, `@oflink/protocol` to its index.
 */
export function serveSourceModule(path: string, prefix: string, res: ServerResponse, raw = false): void {
  const inProtocol = path.startsWith('protocol/');
  const name = inProtocol ? path.slice('protocol/'.length) : path;
  if (!/^\w+(\/\w+)*$/.test(name)) {
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
  // the module's own URL: relative imports resolve against it as the browser would, minus `.ts`
  const here = new URL(`${prefix}${path}`, 'http://modules.local');
  res.writeHead(200, { 'content-type': 'text/javascript' });
  res.end(
    js
      .replace(/from '(\.\.?\/[\w/.]+)'/g, (_, spec: string) => `from '${new URL(spec, here).pathname}'`)
      .replace(/from '@oflink\/protocol'/g, `from '${prefix}protocol/index'`),
  );
}
