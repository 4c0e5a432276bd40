// Packs the packages, installs and builds every example (npm, from the tarballs), starts one
// simulator and every app, and hands their URLs to the tests through the environment.
import { startSimulator } from '@oflink/simulator';
import { build, install, MISTAKE_BUILDS, packTarballs, VARIANTS } from './install';
import { freePort, type RunningApp, routesAnswering, startApp, webhookRelay } from './servers';

/** The apps the tests reach, by project name. */
export type AppName =
  | 'nextjs'
  | 'vite-express'
  | 'vite-express-react18'
  | 'vite-hono'
  | 'vite-dev-proxy'
  | 'react-router-serve'
  | 'react-router-node'
  | 'next-mistake-turbopack'
  | 'next-mistake-webpack';

const NEXT_START = ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', '$PORT'];

/** How each app starts: from which installed example, with which command and environment. */
const APPS: { name: AppName; dir: string; args: string[]; env?: () => Promise<Record<string, string>> }[] = [
  { name: 'nextjs', dir: 'nextjs', args: NEXT_START },
  { name: 'vite-express', dir: 'vite-express', args: ['server/start.js'] },
  { name: 'vite-express-react18', dir: 'vite-express-react18', args: ['server/start.js'] },
  { name: 'vite-hono', dir: 'vite-express', args: ['server/start.js', '--hono'] },
  {
    name: 'vite-dev-proxy',
    dir: 'vite-express',
    args: ['server/start.js', '--dev'],
    env: async () => ({ API_PORT: String(await freePort()), NODE_ENV: 'development' }),
  },
  // React Router 7 in framework mode: its own server, and its Node listener without Express
  {
    name: 'react-router-serve',
    dir: 'react-router',
    args: ['node_modules/@react-router/serve/bin.js', './build/server/index.js'],
  },
  { name: 'react-router-node', dir: 'react-router', args: ['server.mjs'] },
  ...Object.entries(MISTAKE_BUILDS).map(([bundler, distDir]) => ({
    name: `next-mistake-${bundler}` as AppName,
    dir: 'nextjs-mistake',
    args: NEXT_START,
    env: async () => ({ NEXT_DIST_DIR: distDir }),
  })),
];

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const tarballs = packTarballs();
  const dirs: Record<string, string> = {};
  for (const variant of VARIANTS) {
    dirs[variant.name] = install(variant, tarballs);
    build(variant, dirs[variant.name] as string);
  }
  const sim = await startSimulator({ port: 0, quiet: true, webhookRetryBaseMs: 250 });
  const apps: Partial<Record<AppName, RunningApp>> = {};
  // the builds that put the server package in a browser page have no oflink routes to serve
  const serving = APPS.filter((a) => !a.name.startsWith('next-mistake'));
  for (const app of APPS) {
    const env = app.env ? await app.env() : undefined;
    const running = await startApp(app.name, dirs[app.dir] as string, app.args, sim, env);
    apps[app.name] = running;
    if (serving.includes(app)) await routesAnswering(running.url);
  }
  // OFAuth delivers the account's webhooks to one URL: here a relay that hands each message to every
  // app's webhook route (each keeps its own store), answering 2xx when they all did
  const relay = await webhookRelay(serving.map((a) => `${apps[a.name]?.url}/api/oflink/webhook`));
  sim.configure({ webhookUrl: relay.url });
  process.env.OFLINK_EXAMPLES = JSON.stringify(
    Object.fromEntries(Object.entries(apps).map(([k, v]) => [k, v.url])),
  );
  process.env.OFLINK_EXAMPLES_SIM = sim.url;
  process.env.OFLINK_EXAMPLES_SIM_KEY = sim.apiKey;
  process.env.OFLINK_EXAMPLES_DIRS = JSON.stringify(dirs);
  process.env.OFLINK_EXAMPLES_SETUP_MS = String(Date.now() - started);
  console.log(`examples installed, built and started in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return async () => {
    await Promise.all(Object.values(apps).map((a) => a.stop()));
    await Promise.all([sim.stop(), relay.stop()]);
  };
}
