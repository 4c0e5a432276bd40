#!/usr/bin/env node
// The README's two commands: `npm run demo` and `npm test`.
// Needs only Node >= 20.19 and npm. It brings pnpm (pinned by "packageManager") into .tools/
// when no matching pnpm is on PATH, installs the workspace, and then:
//   demo: builds the packages and starts the demo app with the OFAuth simulator;
//   test: makes sure Chromium is there, then runs every suite (scripts/test-all.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const task = process.argv[2];
if (task !== 'demo' && task !== 'test') {
  console.error('usage: node scripts/oflink.mjs <demo|test>');
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`oflink needs Node >= 20.19 (this is ${process.versions.node}).`);
  process.exit(1);
}

const wantedPnpm = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const toolsBin = join(root, '.tools', 'node_modules', '.bin');
process.env.PATH = `${toolsBin}${delimiter}${process.env.PATH}`;

function pnpmVersion() {
  try {
    return execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (pnpmVersion()?.split('.')[0] !== wantedPnpm.split('.')[0]) {
  console.log(`› installing pnpm ${wantedPnpm} into .tools/ (corepack is not used)`);
  sh('npm', [
    'install',
    '--prefix',
    join(root, '.tools'),
    '--no-save',
    '--no-audit',
    '--no-fund',
    `pnpm@${wantedPnpm}`,
  ]);
}

console.log('› pnpm install');
sh('pnpm', ['install', process.env.CI ? '--frozen-lockfile' : '--prefer-frozen-lockfile']);

if (task === 'demo') {
  console.log('› building @oflink/* packages');
  sh('pnpm', ['build']);
  sh('pnpm', ['--filter', 'demo', 'start']);
} else {
  ensureDebianPackages();
  sh('pnpm', ['run', 'test:all', ...process.argv.slice(3)]);
}

/**
 * What the tests need besides Node: Chromium, Firefox ESR and WebKitGTK's WebDriver with Xvfb (the
 * browser tests run in all three engines) and PostgreSQL's programs (the connection store's
 * server-database tests start their own server). Missing ones are installed from Debian's packages
 * when this runs as root on Debian/Ubuntu; else the message says how.
 */
function ensureDebianPackages() {
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasPostgres = () =>
    existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  const wanted = [
    ['chromium', () => chromiumPath() !== undefined],
    ['postgresql', hasPostgres],
    ['firefox-esr', () => existsSync('/usr/bin/firefox-esr')],
    ['webkit2gtk-driver', () => existsSync('/usr/bin/WebKitWebDriver')],
    ['xvfb', () => existsSync('/usr/bin/Xvfb')],
  ];
  const missing = wanted.filter(([, present]) => !present()).map(([name]) => name);
  if (missing.length > 0 && isDebian && isRoot) {
    console.log(`› installing Debian's ${missing.join(', ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    sh('apt-get', ['update', '-qq'], { env });
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  }
  const still = wanted.filter(([, present]) => !present()).map(([name]) => name);
  if (still.length > 0) {
    console.error(
      `Missing for the tests: ${still.join(', ')}. The browser tests run in Chromium, Firefox and WebKit, and the\n` +
        "connection store's tests start their own PostgreSQL; nothing is ever downloaded by a test tool.\n" +
        `  Debian/Ubuntu: sudo apt-get install --no-install-recommends ${still.join(' ')}`,
    );
    process.exit(1);
  }
  ensureChromium();
}

function chromiumPath() {
  return [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
    .filter(Boolean)
    .find((p) => existsSync(p));
}

function ensureChromium() {
  const found = chromiumPath();
  if (!found) {
    console.error(
      'Chromium was not found. The browser tests need it, and this project never downloads a browser build.\n' +
        '  Debian/Ubuntu: sudo apt-get install chromium\n' +
        '  elsewhere:     install Chrome or Chromium and set CHROME_PATH=/path/to/chrome',
    );
    process.exit(1);
  }
  process.env.CHROME_PATH = found;
  console.log(`› Chromium: ${found}`);
}
