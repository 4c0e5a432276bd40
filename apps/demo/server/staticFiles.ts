import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Content type for a file name; unknown extensions are served as bytes.
 *
 * @example
 * contentType('assets/index-abc.js'); // 'text/javascript; charset=utf-8'
 */
export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function fileAt(path: string): Promise<{ size: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size } : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built client from `dir`: existing files with their content type (hashed assets cached
 * for a year), and `index.html` for every other GET of a page path (SPA fallback). Paths that
 * escape `dir` are refused; a missing file with an extension is a 404, not the page.
 *
 * @example
 * const serveClient = createStaticHandler('/srv/demo/dist');
 * createServer((req, res) => void serveClient(req, res));
 */
export function createStaticHandler(dir: string) {
  const root = normalize(dir + sep);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad path');
      return;
    }
    const candidate = normalize(join(root, pathname));
    let file = candidate.startsWith(root) && pathname !== '/' ? candidate : null;
    let info = file ? await fileAt(file) : null;
    if (!info) {
      if (extname(pathname) && pathname !== '/index.html') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      file = join(root, 'index.html');
      info = await fileAt(file);
      if (!info) {
        res
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`The demo client is not built in ${dir}. Run: pnpm --filter demo build`);
        return;
      }
    }
    const isHtml = file!.endsWith('.html');
    res.writeHead(200, {
      'content-type': contentType(file!),
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      // no other site may frame the app (its Connect button would be a clickjacking target)
      ...(isHtml
        ? { 'content-security-policy': "frame-ancestors 'self'", 'x-frame-options': 'SAMEORIGIN' }
        : {}),
      'cache-control': isHtml
        ? 'no-cache'
        : pathname.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file!).pipe(res);
  };
}
