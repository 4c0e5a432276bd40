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

const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);

/** The request's path, decoded; null when it cannot be decoded. */
function decodedPath(req: IncomingMessage): string | null {
  try {
    return decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return null;
  }
}

/** The file inside `root` for a page path: the file itself, or `index.html` for a page; null for none. */
async function resolveFile(root: string, pathname: string) {
  const candidate = normalize(join(root, pathname));
  const own = candidate.startsWith(root) && pathname !== '/' ? candidate : null;
  const info = own ? await fileAt(own) : null;
  if (own && info) return { file: own, size: info.size };
  // a missing file with an extension is a 404, not the page
  if (extname(pathname) && pathname !== '/index.html') return 'missing';
  const index = join(root, 'index.html');
  const page = await fileAt(index);
  return page ? { file: index, size: page.size } : 'unbuilt';
}

/** The headers of a served file: its type and length, and how long it may be cached. */
function fileHeaders(file: string, size: number, pathname: string) {
  const isHtml = file.endsWith('.html');
  return {
    'content-type': contentType(file),
    'content-length': size,
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
  };
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
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return void text(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    const pathname = decodedPath(req);
    if (pathname === null) return void text(res, 400, 'Bad path');
    const found = await resolveFile(root, pathname);
    if (found === 'missing') return void text(res, 404, 'Not found');
    if (found === 'unbuilt')
      return void text(res, 503, `The demo client is not built in ${dir}. Run: pnpm --filter demo build`);
    res.writeHead(200, fileHeaders(found.file, found.size, pathname));
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.file).pipe(res);
  };
}
