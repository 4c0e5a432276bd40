// `node server/start.js`: the built SPA and the API on Express (`--hono`: on Hono), on PORT (3000).
// `node server/start.js --dev`: the API alone on API_PORT (3001) and Vite's dev server on PORT,
// which proxies /api to it.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { expressApp } from './express.js';
import { honoApp } from './hono.js';
import { store } from './oflink.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dev = process.argv.includes('--dev');
const clientDir = dev ? null : fileURLToPath(new URL('../dist', import.meta.url));
// the embedded database starts now, not on the first visitor's request
await store.ready();
const listener = process.argv.includes('--hono')
  ? getRequestListener(honoApp(clientDir).fetch)
  : expressApp(clientDir);

if (dev) {
  const apiPort = Number(process.env.API_PORT ?? 3001);
  createServer(listener).listen(apiPort, host);
  const { createServer: createVite } = await import('vite');
  const vite = await createVite({ server: { port, host, strictPort: true } });
  await vite.listen();
  console.log(`http://${host}:${port} (API on ${apiPort})`);
} else {
  createServer(listener).listen(port, host, () => console.log(`http://${host}:${port}`));
}
