// @oflink/server imported by browser code, by mistake: Vite (dev and build) and Next (Turbopack and
// webpack) must bundle it without an error of their own, and the page must then fail with the
// package's message that says what to do.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from './fixtures';

const MESSAGE = /@oflink\/server was imported in browser code.*must only run on your server/;

type Vite = {
  build(config: Record<string, unknown>): Promise<unknown>;
  createServer(config: Record<string, unknown>): Promise<{
    listen(): Promise<unknown>;
    close(): Promise<void>;
    resolvedUrls: { local: string[] } | null;
  }>;
};

/**
 * A one-page app in the installed Vite example whose client code imports the server package, in
 * its own folder per test (tests may run at once, and each starts by emptying its folder).
 */
function mistakeApp(name: string): { root: string; vite: Promise<Vite> } {
  const dir =
    (JSON.parse(process.env.OFLINK_EXAMPLES_DIRS ?? '{}') as Record<string, string>)['vite-express'] ?? '';
  const root = join(dir, `mistake-${name}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><title>mistake</title><script type="module" src="/main.js"></script>\n',
  );
  writeFileSync(
    join(root, 'main.js'),
    "import { createLinkHandler, verifyWebhook } from '@oflink/server';\n" +
      'document.title = typeof createLinkHandler + typeof verifyWebhook;\n',
  );
  const vite = import(
    pathToFileURL(join(dir, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href
  ) as Promise<Vite>;
  return { root, vite };
}

test('vite build bundles it without a missing-export error; the page then throws the package message', async ({
  page,
}) => {
  const { root, vite } = mistakeApp('build');
  const outDir = join(root, 'dist');
  await (await vite).build({ root, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const script = readdirSync(join(outDir, 'assets')).find((f) => f.endsWith('.js')) ?? '';
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('about:blank');
  await page.addScriptTag({ type: 'module', content: readFileSync(join(outDir, 'assets', script), 'utf8') });
  await expect.poll(() => errors.join('\n')).toMatch(MESSAGE);
});

test('vite dev serves it; the page throws the package message', async ({ page }) => {
  const { root, vite } = mistakeApp('dev');
  const server = await (await vite).createServer({
    root,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.resolvedUrls?.local[0] ?? '');
    await expect.poll(() => errors.join('\n')).toMatch(MESSAGE);
  } finally {
    await server.close();
  }
});

for (const bundler of ['turbopack', 'webpack'] as const) {
  test(`next build (${bundler}) builds a client page that imports it; the page throws the package message`, async ({
    page,
  }) => {
    const url = (JSON.parse(process.env.OFLINK_EXAMPLES ?? '{}') as Record<string, string>)[
      `next-mistake-${bundler}`
    ];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${url}/mistake`);
    await expect.poll(() => errors.join('\n')).toMatch(MESSAGE);
  });
}
