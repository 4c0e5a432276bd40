// Real Chromium, no bundler: the core's source served as native ES modules, where `process` does not
// exist. Every path that reads the build mode must run there (the popup flows themselves are proved
// in three engines by e2e/engines/ and in detail by the Playwright suite).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { serveSourceModule } from '../../../scripts/sourceModules';

let browser: Browser;
let app: Server;
let appOrigin = '';

const html = (body: string) =>
  `<!doctype html><html lang="en"><head><title>t</title></head><body>${body}</body></html>`;

function appHandler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', appOrigin);
  if (url.pathname.startsWith('/raw/')) return serveSourceModule(url.pathname.slice(5), '/raw/', res, true);
  res.writeHead(200, { 'content-type': 'text/html' });
  // every path that reads the build mode: a second open(), a relay for no attempt, bad options
  res.end(
    html(`<button id="go">Connect</button><script type="module">
      import { createLinkController } from '/raw/controller';
      const never = { peek: () => undefined, get: () => new Promise(() => {}), discard: () => {} };
      const link = createLinkController(() => ({ mode: 'popup' }), never);
      document.getElementById('go').addEventListener('click', () => {
        link.open();
        link.open();
        window.postMessage({ type: 'OFLINK_RELAY', id: 'x', nonce: 'y', outcome: { status: 'cancelled' } }, location.origin);
        const bad = createLinkController(() => ({ mode: 'modal' }), never);
        bad.prefetch();
        bad.open();
        setTimeout(() => { window.__native = { status: link.getState().status, bad: bad.getState().error?.code }; link.dispose(); }, 300);
      });
      window.__ready = true;
    </script>`),
  );
}

beforeAll(async () => {
  app = createServer(appHandler);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  browser = await chromium.launch({ ...chromiumLaunchOptions, timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => app?.close(() => r()));
});

describe('core as native ES modules, without a bundler', () => {
  it('runs every path that reads the build mode without `process` existing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${appOrigin}/native`);
    await page.waitForFunction(() => (window as { __ready?: boolean }).__ready === true);
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    await page.click('#go');
    const result = await page
      .waitForFunction(() => (window as { __native?: unknown }).__native, undefined, { timeout: 20_000 })
      .then((h) => h.jsonValue());
    expect(result).toEqual({ status: 'preparing', bad: 'invalid_options' });
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);
});
