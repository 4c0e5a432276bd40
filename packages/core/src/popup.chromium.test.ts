// Real Chromium: the popup relay from the callback page to the opener, with and without
// Cross-Origin-Opener-Policy on the hosted page (which severs window.opener and makes popup.closed lie).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { writeFigures } from '../../../scripts/figures';
import { serveSourceModule } from '../../../scripts/sourceModules';

let browser: Browser;
let app: Server;
let hosted: Server;
let appOrigin = '';
let hostedOrigin = '';
let coop = false;
let delayNext = 700;
let carried: { session: boolean; opener: boolean } | null = null;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

const html = (body: string) =>
  `<!doctype html><html lang="en"><head><title>t</title></head><body>${body}</body></html>`;

function appHandler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', appOrigin);
  if (url.pathname.startsWith('/m/')) return serveSourceModule(url.pathname.slice(3), '/m/', res);
  if (url.pathname.startsWith('/raw/')) return serveSourceModule(url.pathname.slice(5), '/raw/', res, true);
  if (url.pathname === '/carried') {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      carried = JSON.parse(body) as typeof carried;
      res.end();
    });
    return;
  }
  if (url.pathname === '/session') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        mode: 'hosted',
        url: `${hostedOrigin}/cs_1?delay=${delayNext}`,
        expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      }),
    );
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  if (url.pathname === '/callback') {
    return res.end(
      html(`<script type="module">
        const carried = { session: sessionStorage.getItem('oflink:popup') !== null, opener: window.opener !== null };
        await fetch('/carried', { method: 'POST', body: JSON.stringify(carried) });
        const { handleCallback } = await import('/m/relay');
        window.__result = handleCallback(window);
      </script>`),
    );
  }
  if (url.pathname === '/native') {
    // every path that reads the build mode: a second open(), a relay for no attempt, bad options
    return res.end(
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
  const grace = url.searchParams.get('grace') ?? '3000';
  res.end(
    html(`<button id="go">Connect</button><script type="module">
      import { createLinkController } from '/m/controller';
      import { createSessionCache } from '/m/sessionSource';
      window.__events = [];
      const options = () => ({
        mode: 'popup', endpoint: '/session', popupCloseGraceMs: ${Number(grace)},
        onEvent: (e) => window.__events.push(e.type),
        onSuccess: (o) => { window.__outcome = o; },
        onExit: (o) => { window.__outcome = o; },
      });
      const link = createLinkController(options, createSessionCache(options));
      document.getElementById('go').addEventListener('click', () => link.open());
      window.__ready = true;
    </script>`),
  );
}

function hostedHandler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', hostedOrigin);
  const headers: Record<string, string> = { 'content-type': 'text/html' };
  if (coop) headers['cross-origin-opener-policy'] = 'same-origin';
  res.writeHead(200, headers);
  const finish = url.searchParams.get('finish') !== 'no';
  const delay = Number(url.searchParams.get('delay') ?? '700');
  res.end(
    html(
      `<p data-step="login">Hosted Link</p>` +
        (finish
          ? `<script>setTimeout(() => location.replace(${JSON.stringify(`${appOrigin}/callback?status=success&connection_id=conn_e2e`)}), ${delay})</script>`
          : ''),
    ),
  );
}

beforeAll(async () => {
  app = createServer(appHandler);
  hosted = createServer(hostedHandler);
  appOrigin = `http://127.0.0.1:${await listen(app)}`;
  hostedOrigin = `http://localhost:${await listen(hosted)}`; // same host, another origin
  browser = await chromium.launch({ ...chromiumLaunchOptions, timeout: 30_000 });
}, 60_000);

const figures: { area: string; measure: string; value: number; goal: string }[] = [];

afterAll(async () => {
  writeFigures('core-popup-chromium', figures);
  await browser?.close();
  await new Promise<void>((r) => app?.close(() => r()));
  await new Promise<void>((r) => hosted?.close(() => r()));
});

async function start(query = ''): Promise<{ page: Page; popup: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${appOrigin}/${query}`);
  await page.waitForFunction(() => (window as { __ready?: boolean }).__ready === true);
  carried = null;
  const [popup] = await Promise.all([context.waitForEvent('page', { timeout: 10_000 }), page.click('#go')]);
  return { page, popup };
}

const outcomeOf = (page: Page) =>
  page
    .waitForFunction(() => (window as { __outcome?: unknown }).__outcome, undefined, { timeout: 10_000 })
    .then((h) => h.jsonValue());

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
      .waitForFunction(() => (window as { __native?: unknown }).__native, undefined, { timeout: 10_000 })
      .then((h) => h.jsonValue());
    expect(result).toEqual({ status: 'preparing', bad: 'invalid_options' });
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);
});

describe('popup flow in Chromium', () => {
  it('relays the callback outcome to the opener without COOP', async () => {
    coop = false;
    const { page, popup } = await start();
    expect(await outcomeOf(page)).toEqual({ status: 'success', connectionId: 'conn_e2e', confirmed: false });
    // Chromium copied the opener's sessionStorage (with the attempt record) into the popup
    expect(carried).toEqual({ session: true, opener: true });
    expect(await page.evaluate(() => (window as { __events?: string[] }).__events)).toEqual([
      'session_requested',
      'session_ready',
      'opened',
      'success',
      'closed',
    ]);
    await popup.waitForEvent('close', { timeout: 5000 }).catch(() => undefined);
    expect(popup.isClosed()).toBe(true);
    await page.context().close();
  }, 30_000);

  it('under COOP (severed opener, popup.closed reads true) still reports success, not closed', async () => {
    coop = true;
    const { page, popup } = await start();
    expect(await outcomeOf(page)).toEqual({ status: 'success', connectionId: 'conn_e2e', confirmed: false });
    // the opener was severed; the relay went over BroadcastChannel with the nonce from web storage
    expect(carried?.opener).toBe(false);
    figures.push({
      area: 'popup relay',
      measure: 'sessionStorage carried into the popup after COOP (1 = yes)',
      value: carried?.session ? 1 : 0,
      goal: 'either; localStorage is the fallback',
    });
    await popup.waitForEvent('close', { timeout: 5000 }).catch(() => undefined);
    await page.context().close();
  }, 30_000);

  it('under COOP, a flow longer than the grace period is not reported as closed', async () => {
    coop = true;
    delayNext = 5000;
    const { page, popup } = await start();
    expect(await outcomeOf(page)).toEqual({ status: 'success', connectionId: 'conn_e2e', confirmed: false });
    delayNext = 700;
    await popup.waitForEvent('close', { timeout: 5000 }).catch(() => undefined);
    await page.context().close();
  }, 30_000);

  it('under COOP, reports cancelled/closed once the person closed the popup and is back on the app', async () => {
    coop = true;
    delayNext = 60_000;
    const { page, popup } = await start('?grace=300');
    await popup.waitForURL(/cs_1/);
    await page.waitForTimeout(700);
    await popup.close();
    await page.waitForTimeout(700);
    expect(await page.evaluate(() => (window as { __outcome?: unknown }).__outcome ?? null)).toBeNull();
    await page.mouse.click(5, 5);
    expect(await outcomeOf(page)).toEqual({ status: 'cancelled', reason: 'closed' });
    delayNext = 700;
    await page.context().close();
  }, 30_000);

  it('reports cancelled/closed when the person closes the popup', async () => {
    coop = false;
    delayNext = 60_000; // the person stays on the hosted page until they close it
    const { page, popup } = await start('?grace=300');
    await popup.waitForURL(/cs_1/);
    await page.waitForTimeout(700); // a person reads the page before closing it
    await popup.close();
    // a closed popup hands focus back to the app; headless Chromium sends no focus event: the person clicks
    await page.mouse.click(5, 5);
    expect(await outcomeOf(page)).toEqual({ status: 'cancelled', reason: 'closed' });
    delayNext = 700;
    await page.context().close();
  }, 30_000);
});
