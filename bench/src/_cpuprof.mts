import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { bareProxy, fetchHandlerProxy, sessionEndpoint } from './endpoint';

const sim = spawn('/work/main/node_modules/.bin/tsx', ['/work/main/bench/src/servers.ts', 'simulator'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const info: { url: string; apiKey: string } = await new Promise((r) =>
  sim.stdout?.once('data', (c) => r(JSON.parse(String(c).split('\n')[0] ?? ''))),
);
const which = process.env.W ?? 'helper';
const listener =
  which === 'helper'
    ? (await sessionEndpoint(info.url, info.apiKey, [])).listener
    : which === 'floor'
      ? await fetchHandlerProxy(info.url, info.apiKey)
      : bareProxy(info.url, info.apiKey);
const s = createServer(listener);
s.keepAliveTimeout = 60000;
await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(s.address() as { port: number }).port}/api/oflink/session`;
await new Promise((r) =>
  spawn(
    '/work/main/bench/node_modules/.bin/autocannon',
    [
      '-c',
      '50',
      '-d',
      process.env.D ?? '6',
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      '{}',
      url,
    ],
    { stdio: 'ignore' },
  ).on('exit', r),
);
sim.kill();
process.exit(0);
