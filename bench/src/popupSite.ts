// The pages of the popup measure, served on one origin of 127.0.0.1: the app (one ConnectButton),
// the same app compiled eagerly, the naive page (fetch on click, then window.open), the floor
// (window.open of a known URL), and the session endpoint in front of the simulator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PRODUCTION_BUILD } from '../../scripts/appBundle';
import { sessionEndpoint } from './endpoint';
import { STEP_RECORDER } from './pageSteps';

const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

async function bundleApp(): Promise<string> {
  const result = await build({
    ...PRODUCTION_BUILD,
    // a whole page: React is bundled in
    entryPoints: [fileURLToPath(new URL('./pages/popupApp.tsx', import.meta.url))],
    alias: {
      // subpaths first: an alias also matches the ids under it
      '@oflink/core/internal': fileURLToPath(new URL('../../packages/core/src/internal.ts', import.meta.url)),
      '@oflink/core': src('core'),
      '@oflink/react': src('react'),
    },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the bench page');
  return file.text;
}

const html = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body>${body}</body></html>`;

// The naive integration most apps write first: fetch on click, then window.open the URL.
const NAIVE = html(`${STEP_RECORDER}<button type="button" id="naive">Connect</button><script>
window.__bench = { blocked: null };
document.getElementById('naive').addEventListener('click', async () => {
  window.__step('listener');
  const r = await fetch('/api/oflink/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const s = await r.json();
  const w = window.open(s.url, 'naive', 'popup=yes,width=500,height=720');
  window.__bench.blocked = !w;
});
</script>`);

// The floor: the URL is fetched at load, the click only calls window.open(url). Nothing can be faster.
const FLOOR = html(`${STEP_RECORDER}<button type="button" id="floor">Connect</button><script>
window.__bench = { ready: false, url: null };
fetch('/api/oflink/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  .then((r) => r.json()).then((s) => { window.__bench.url = s.url; window.__bench.ready = true; });
document.getElementById('floor').addEventListener('click', () => {
  window.__step('listener');
  window.open(window.__bench.url, 'floor', 'popup=yes,width=500,height=720');
});
</script>`);

/**
 * V8's compile hint for a whole script: every function is compiled when the script loads, instead
 * of on its first call. The `/eager` page is the app with it, to measure how much of the click is
 * that first compilation.
 */
const EAGER_HINT = '//# allFunctionsCalledOnLoad';

const appPage = (script: string) =>
  html(`${STEP_RECORDER}<div id="root"></div><script type="module" src="${script}"></script>`);

/** Serves the pages and the session endpoint; `close` stops the server. */
export async function serve(simulatorUrl: string, apiKey: string) {
  const app = await bundleApp();
  let endpoint: Awaited<ReturnType<typeof sessionEndpoint>> | null = null;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/oflink/session' && endpoint) return endpoint.listener(req, res);
    if (path === '/app.js' || path === '/app-eager.js')
      return res
        .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
        .end(path === '/app.js' ? app : `${EAGER_HINT}\n${app}`);
    if (path === '/' || path === '/eager')
      return res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(appPage(path === '/' ? '/app.js' : '/app-eager.js'));
    if (path === '/naive') return res.writeHead(200, { 'content-type': 'text/html' }).end(NAIVE);
    if (path === '/floor') return res.writeHead(200, { 'content-type': 'text/html' }).end(FLOOR);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint = await sessionEndpoint(simulatorUrl, apiKey, [origin]);
  return { origin, kind: endpoint.kind, close: () => new Promise<void>((r) => server.close(() => r())) };
}
