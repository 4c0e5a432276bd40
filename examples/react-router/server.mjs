// The built app on React Router's own Node listener (@react-router/node), without Express: what
// `react-router-serve` does, minus its extras. The files of build/client are served as they are.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequestListener } from '@react-router/node';

const client = fileURLToPath(new URL('./build/client', import.meta.url));
const build = await import('./build/server/index.js');
const app = createRequestListener({ build, mode: 'production' });
const TYPES = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
};

createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  const file = join(client, path);
  if (req.method === 'GET' && file.startsWith(client) && existsSync(file) && statSync(file).isFile()) {
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
    return;
  }
  app(req, res);
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () =>
  console.log(`http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`),
);
