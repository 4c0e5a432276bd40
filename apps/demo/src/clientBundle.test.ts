// The built client is what every visitor downloads: it must hold no API key and no server code.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';

let files: { name: string; text: string }[] = [];

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

beforeAll(async () => {
  const dir = inject('clientDir');
  const paths = await walk(dir);
  files = await Promise.all(
    paths.map(async (p) => ({ name: relative(dir, p), text: await readFile(p, 'utf8') })),
  );
});

describe('the built client bundle', () => {
  it('is a real build of the app that calls the session and confirm endpoints', () => {
    const js = files.filter((f) => f.name.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    const all = js.map((f) => f.text).join('\n');
    expect(all).toContain('/api/oflink/session');
    expect(all).toContain('/api/oflink/confirm');
    expect(all).toContain('data-mode');
  });

  it.each([
    ['the simulator API key', /sk_sandbox_simulator/],
    ['any OFAuth secret key (sk_…)', /(?<![A-Za-z0-9])sk_/],
    ['a webhook secret', /whsec_[A-Za-z0-9+/]/],
    ['the API key variable', /OFAUTH_API_KEY|OFAUTH_WEBHOOK_SECRET/],
  ])('contains no %s', (_name, pattern) => {
    for (const f of files) expect(f.text, f.name).not.toMatch(pattern);
  });

  it.each([
    ['createLinkHandler'],
    ['confirmConnection('],
    ['createWebhookHandler'],
    ['OflinkServerError'],
    ['/v2/link/init'],
    ['/v2/account/connections'],
    ['apiKey'],
    ['was imported in browser code'],
  ])('contains no @oflink/server code (%s)', (needle) => {
    for (const f of files) expect(f.text.includes(needle), `${f.name} contains ${needle}`).toBe(false);
  });
});
