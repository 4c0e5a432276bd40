#!/usr/bin/env node
// `npm run test:busy [-- <name>…]`: the README's test command while every core is kept busy by a CPU
// burner, one spinning process per core. A suite that passes only on an idle machine fails here;
// speed belongs to `pnpm bench`, never to a test. Ends with the test command's own exit code.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const burners = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
);
const stop = () => {
  for (const b of burners) b.kill('SIGKILL');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
console.log(`› ${burners.length} CPU burners keep every core busy while the tests run`);
const started = Date.now();
const tests = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
tests.once('exit', (code, signal) => {
  stop();
  console.log(`› under load: ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(code ?? (signal ? 1 : 0));
});
