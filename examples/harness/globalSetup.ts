// Packs the packages, installs and builds every example (npm, from the tarballs), starts one
// simulator and every app, and hands their URLs to the tests through the environment.
import { startSimulator } from '@oflink/simulator';
import { build, install, MISTAKE_BUILDS, packTarballs, VARIANTS } from './install';
import { freePort, type RunningApp, startApp } from './servers';

/** The apps the tests reach, by project name. */
export type AppName =
  | 'nextjs'
  | 'vite-express'
  | 'vite-express-react18'
  | 'vite-hono'
  | 'vite-dev-proxy'
  | 'next-mistake-turbopack'
  | 'next-mistake-webpack';

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
  const next = dirs.nextjs as string;
  const vite = dirs['vite-express'] as string;
  apps.nextjs = await startApp(
    'nextjs',
    next,
    ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', '$PORT'],
    sim,
  );
  apps['vite-express'] = await startApp('vite-express', vite, ['server/start.js'], sim);
  apps['vite-express-react18'] = await startApp(
    'vite-express-react18',
    dirs['vite-express-react18'] as string,
    ['server/start.js'],
    sim,
  );
  apps['vite-hono'] = await startApp('vite-hono', vite, ['server/start.js', '--hono'], sim);
  apps['vite-dev-proxy'] = await startApp('vite-dev-proxy', vite, ['server/start.js', '--dev'], sim, {
    API_PORT: String(await freePort()),
    NODE_ENV: 'development',
  });
  for (const [bundler, distDir] of Object.entries(MISTAKE_BUILDS)) {
    const name = `next-mistake-${bundler}` as AppName;
    apps[name] = await startApp(
      name,
      dirs['nextjs-mistake'] as string,
      ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', '$PORT'],
      sim,
      { NEXT_DIST_DIR: distDir },
    );
  }
  // OFAuth delivers the account's webhooks to one URL: the Next app's route
  sim.configure({ webhookUrl: `${apps.nextjs?.url}/api/oflink/webhook` });
  process.env.OFLINK_EXAMPLES = JSON.stringify(
    Object.fromEntries(Object.entries(apps).map(([k, v]) => [k, v.url])),
  );
  process.env.OFLINK_EXAMPLES_SIM = sim.url;
  process.env.OFLINK_EXAMPLES_DIRS = JSON.stringify(dirs);
  process.env.OFLINK_EXAMPLES_SETUP_MS = String(Date.now() - started);
  console.log(`examples installed, built and started in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return async () => {
    await Promise.all(Object.values(apps).map((a) => a.stop()));
    await sim.stop();
  };
}
