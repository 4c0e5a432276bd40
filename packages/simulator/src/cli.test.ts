import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from './cliArgs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

/** Run the CLI from source and resolve with its stdout once it printed the banner (bounded). */
function runCli(args: string[]): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: pkgDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`CLI printed no banner in 15 s: ${out}${err}`)), 15_000);
    child?.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('try:')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child?.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child?.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}: ${err}`));
    });
  });
}

describe('oflink-simulator CLI', () => {
  it('--help lists every option with its default, and how to keep the webhook secret stable', () => {
    const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], {
      cwd: pkgDir,
      encoding: 'utf8',
    });
    for (const option of [
      '--port',
      '--host',
      '--api-key',
      '--app',
      '--allowed-origin',
      '--webhook-url',
      '--webhook-secret',
      '--session-ttl',
      '--coop',
      '--quiet',
      '--new-webhook-secret',
      '--help',
    ])
      expect(help).toContain(option);
    expect(help.match(/\(default /g)?.length).toBe(10);
    expect(help).toContain('OFAUTH_WEBHOOK_SECRET');
  });

  it('--new-webhook-secret prints a fresh whsec_ secret; OFAUTH_WEBHOOK_SECRET keeps one across restarts', () => {
    const secret = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--new-webhook-secret'], {
      cwd: pkgDir,
      encoding: 'utf8',
    }).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(parseCliArgs([], { OFAUTH_WEBHOOK_SECRET: secret }).webhookSecret).toBe(secret);
    expect(
      parseCliArgs(['--webhook-secret', 'whsec_b3ZlcnJpZGU='], { OFAUTH_WEBHOOK_SECRET: secret })
        .webhookSecret,
    ).toBe('whsec_b3ZlcnJpZGU=');
    expect(() => parseCliArgs([], { OFAUTH_WEBHOOK_SECRET: 'nope' })).toThrowError(
      /OFAUTH_WEBHOOK_SECRET must look like whsec_/,
    );
  });

  it('serves on --port 0 and prints the base URL, keys and apps', async () => {
    const out = await runCli([
      '--port',
      '0',
      '--api-key',
      'sk_sandbox_cli',
      '--app',
      'app_cli=http://localhost:5173/cb',
      '--coop',
      '--session-ttl',
      '60',
    ]);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain('sk_sandbox_cli');
    expect(out).toContain('app_cli');
    const res = await fetch(`${url}/v2/link/init`, {
      method: 'POST',
      headers: { apiKey: 'sk_sandbox_cli' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; expiresAt: string };
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const page = await fetch(body.url);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const bad = await fetch(`${url}/v2/link/init`, {
      method: 'POST',
      headers: { apiKey: 'sk_sandbox_cli' },
      body: JSON.stringify({ redirectUrl: 'http://127.0.0.1:9/cb' }),
    });
    expect(bad.status).toBe(400);
  }, 30_000);

  it('exits with status 2 and the usage on an unknown flag', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--nope'], {
      cwd: pkgDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child?.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('Usage: oflink-simulator');
  }, 30_000);
});

describe('parseCliArgs', () => {
  it('has no options of its own by default (startSimulator defaults apply)', () => {
    expect(parseCliArgs([])).toEqual({});
  });

  it('reads every flag the README documents', () => {
    expect(
      parseCliArgs([
        '--port',
        '4011',
        '--host',
        '0.0.0.0',
        '--api-key',
        'sk_a',
        '--api-key',
        'sk_b',
        '--app',
        'app_one=http://localhost:3000/cb,https://one.example/cb',
        '--app',
        'app_two',
        '--allowed-origin',
        'http://localhost:6006',
        '--webhook-url',
        'http://localhost:3000/hooks',
        '--webhook-secret',
        'whsec_c2VjcmV0',
        '--session-ttl',
        '120',
        '--coop',
      ]),
    ).toEqual({
      port: 4011,
      host: '0.0.0.0',
      apiKeys: ['sk_a', 'sk_b'],
      apps: [
        {
          id: 'app_one',
          redirectUris: ['http://localhost:3000/cb', 'https://one.example/cb'],
          allowedOrigins: ['http://localhost:3000', 'https://one.example'],
          defaultRedirectUri: 'http://localhost:3000/cb',
        },
        { id: 'app_two' },
      ],
      allowedOrigins: ['http://localhost:6006'],
      webhookUrl: 'http://localhost:3000/hooks',
      webhookSecret: 'whsec_c2VjcmV0',
      sessionTtlSeconds: 120,
      coop: true,
    });
  });

  it.each([
    [['--port', 'x']],
    [['--app', 'demo=http://localhost:3000']],
    [['--app', 'app_x=not a url']],
    [['--webhook-secret', 'secret']],
    [['--session-ttl', '-1']],
    [['--allowed-origin', 'http://localhost:3000/path']],
  ])('refuses %j with a CliError that says what to fix', (args) => {
    expect(() => parseCliArgs(args)).toThrow(CliError);
  });
});
