// `pnpm --filter demo start` (what the root `npm run demo` ends with): prints the mode and the URL,
// serves the demo, and stops everything on Ctrl-C (SIGINT).
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, inject, it } from 'vitest';

const app = fileURLToPath(new URL('..', import.meta.url));
// node with tsx's loader, as `pnpm start` runs it but without the pnpm and tsx CLI parents: a
// terminal's Ctrl-C reaches every process of the group, this signal reaches the server directly
const tsxLoader = createRequire(`${app}/package.json`).resolve('tsx');
let child: ChildProcess | null = null;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

function start(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(tsxLoader).href, 'server/main.ts'], {
    cwd: app,
    env: { ...process.env, TSX_TSCONFIG_PATH: '../../tsconfig.json', OFAUTH_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /^Demo: (http:\/\/\S+)$/m.exec(output);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) =>
      reject(new Error(`the demo exited (${code}) before printing its URL:\n${output}`)),
    );
  });
  return { url, exited, output: () => output };
}

it('prints the simulator mode and the URL, serves the app, and stops on SIGINT', async () => {
  const demo = start({ PORT: '0', DEMO_CLIENT_DIR: inject('clientDir') });
  const url = await demo.url;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(demo.output()).toMatch(/^Mode: simulator: a local OFAuth at http:\/\/127\.0\.0\.1:\d+/m);
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  expect(await (await fetch(`${url}/api/demo`)).json()).toEqual({ backend: 'simulator' });
  const simulatorUrl = /a local OFAuth at (http:\/\/\S+)/.exec(demo.output())![1]!;
  child!.kill('SIGINT');
  await expect(demo.exited).resolves.toBe(0);
  await expect(fetch(`${url}/`)).rejects.toThrow();
  await expect(fetch(`${simulatorUrl}/v2/account/connections`)).rejects.toThrow();
});

it('with OFAUTH_API_KEY it says it talks to the real API and starts no simulator', async () => {
  const demo = start({
    PORT: '0',
    DEMO_CLIENT_DIR: inject('clientDir'),
    OFAUTH_API_KEY: 'sk_test_not_a_real_key',
    OFAUTH_BASE_URL: 'http://127.0.0.1:9',
    OFAUTH_WEBHOOK_SECRET: '',
  });
  const url = await demo.url;
  expect(demo.output()).toContain('Mode: real OFAuth API (http://127.0.0.1:9)');
  expect(demo.output()).not.toContain('simulator');
  expect(demo.output()).not.toContain('sk_test_not_a_real_key');
  expect(await (await fetch(`${url}/api/demo`)).json()).toEqual({ backend: 'ofauth' });
  const webhook = await fetch(`${url}/api/webhooks/ofauth`, { method: 'POST', body: '{}' });
  expect(webhook.status).toBe(503);
  child!.kill('SIGINT');
  await expect(demo.exited).resolves.toBe(0);
});
