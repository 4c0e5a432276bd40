// `pnpm --filter demo start`: builds the client when its sources changed, then starts the demo
// server with the OFAuth simulator (or the real API when OFAUTH_API_KEY is set). Ctrl-C stops both.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { demoViteConfig } from '../vite.config';
import { type DemoServer, startDemoServer } from './startDemoServer';

// Ctrl-C at any time: before the server starts it just exits; once it runs, it closes the server and
// the simulator first. Registered first thing, so a signal during startup is never lost.
let demo: DemoServer | null = null;
let starting = false;
let stopRequested = false;
const stop = () => {
  if (!demo) return process.exit(130);
  demo.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopRequested) process.exit(1); // a second Ctrl-C does not wait
    stopRequested = true;
    if (demo || !starting) stop(); // while starting, the start finishes first (see below)
  });
}

const app = fileURLToPath(new URL('..', import.meta.url));
const dist = join(app, 'dist');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

// DEMO_CLIENT_DIR serves an existing build as is (the start test uses one built in a temp dir)
const clientDir = process.env.DEMO_CLIENT_DIR || dist;
const built = join(dist, 'index.html');
// the client bundles @oflink/react and @oflink/core from source (see vite.config.ts)
const sources = [
  join(app, 'src'),
  join(app, 'index.html'),
  join(app, 'public'),
  join(app, 'vite.config.ts'),
  join(app, '../../packages/react/src'),
  join(app, '../../packages/core/src'),
];
if (
  clientDir === dist &&
  (!existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs)
) {
  console.log('› building the demo client');
  await build(demoViteConfig());
}

const port = process.env.PORT ? Number(process.env.PORT) : 5173;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (got ${process.env.PORT}).`);
  process.exit(1);
}

starting = true;
try {
  demo = await startDemoServer({ port, host: process.env.HOST ?? '127.0.0.1', clientDir });
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${port} is already in use. Start on another one with PORT=5174 npm run demo.`);
    process.exit(1);
  }
  throw error;
}

if (stopRequested) {
  stop();
} else {
  console.log('');
  if (demo.simulator) {
    console.log(`Mode: simulator: a local OFAuth at ${demo.simulator.url} (no account, no key, no network)`);
    console.log('      sign in with you@creator.sandbox.com / good-password');
  } else {
    console.log(`Mode: real OFAuth API (${process.env.OFAUTH_BASE_URL || 'https://api.ofauth.com'})`);
    console.log(`      redirect URL to register for your client app: ${demo.url}/callback`);
    if (!process.env.OFAUTH_WEBHOOK_SECRET) console.log('      webhooks are off (set OFAUTH_WEBHOOK_SECRET)');
  }
  console.log(
    process.env.DATABASE_URL
      ? 'Data: connections in PostgreSQL (DATABASE_URL)'
      : 'Data: connections in an embedded PostgreSQL, in memory (set DATABASE_URL for a server)',
  );
  console.log(`Demo: ${demo.url}`);
  console.log('Press Ctrl-C to stop.');
}
