import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { type Simulator, startSimulator } from '../packages/simulator/src/index';
import { RECONNECT_CONNECTION_ID, STORY_USER } from './constants';

/** What the dev server forwards to the simulator, and whether the request gets the apiKey header. */
function route(url: string): { path: string; withKey: boolean } | null {
  if (/^\/cs_[A-Za-z0-9]+(?:[?#]|$)/.test(url)) return { path: url, withKey: false };
  if (url.startsWith('/__simulator/')) return { path: url, withKey: false };
  if (url.startsWith('/__oflink-sim/v2/')) return { path: url.slice('/__oflink-sim'.length), withKey: true };
  return null;
}

/** Where the app's callback page is served (the sessions' `redirectUrl`, for popup flows). */
export const CALLBACK_PATH = '/__oflink-sim/callback';

const callbackHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connecting… · oflink stories</title></head>
<body><div id="root"></div>
<script type="module" src="/@fs${fileURLToPath(new URL('./callbackPage.tsx', import.meta.url))}"></script>
</body></html>`;

function forward(req: IncomingMessage, res: ServerResponse, sim: Simulator, path: string, withKey: boolean) {
  const target = new URL(sim.url);
  const headers = { ...req.headers, host: target.host };
  // the key is added here, on the server side of the proxy: it never reaches the browser
  if (withKey) headers.apikey = sim.apiKey;
  // the stories' dev server drives the test controls on the page's behalf: the simulator refuses
  // them to a browser page of another origin, which the stories' page is
  if (path.startsWith('/__simulator/'))
    for (const name of ['origin', 'referer', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest'])
      delete headers[name];
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The OFAuth simulator did not answer.');
  });
  req.pipe(upstream);
}

/**
 * Serves the OFAuth simulator through the dev server that serves the stories (`storybook dev` and
 * the Vitest browser run): hosted pages at `/cs_…`, test controls at `/__simulator/…`, and the
 * `/v2` API at `/__oflink-sim/v2/…` with the sandbox apiKey added server-side, and the app's
 * callback page at {@link CALLBACK_PATH} (popup flows). Same origin as the
 * stories, so a play function can drive the real hosted page inside the embed iframe or popup.
 * The simulator starts on a free port at the first forwarded request and stops with the server.
 *
 * @example
 * viteFinal: (config) => mergeConfig(config, { plugins: [oflinkSimulator()] })
 */
export function oflinkSimulator(): Plugin {
  let running: Promise<Simulator> | null = null;
  const ensure = () => {
    running ??= startSimulator({ port: 0, host: '127.0.0.1', quiet: true }).then((sim) => {
      sim.addConnection({ id: RECONNECT_CONNECTION_ID, clientReferenceId: STORY_USER });
      return sim;
    });
    return running;
  };
  const stop = async () => {
    const current = running;
    running = null;
    if (current) await (await current).stop();
  };
  return {
    name: 'oflink:simulator',
    apply: 'serve',
    configureServer(server) {
      server.httpServer?.once('close', () => void stop());
      server.middlewares.use((req, res, next) => {
        if (req.method === 'GET' && (req.url ?? '').split('?')[0] === CALLBACK_PATH) {
          server.transformIndexHtml(req.url ?? CALLBACK_PATH, callbackHtml).then((html) => {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(html);
          }, next);
          return;
        }
        const target = route(req.url ?? '/');
        if (!target) return next();
        ensure().then(
          (sim) => forward(req, res, sim, target.path, target.withKey),
          (error: unknown) => next(error),
        );
      });
    },
    async closeBundle() {
      await stop();
    },
  };
}
