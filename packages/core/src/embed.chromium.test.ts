// Real Chromium: the embedded flow's postMessage validation with real origins and windows.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { serveSourceModule } from '../../../scripts/sourceModules';

let browser: Browser;
let app: Server;
let hosted: Server;
let appOrigin = '';
let hostedOrigin = '';
let exitRequests: unknown[] = [];

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
  if (url.pathname === '/session') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        mode: 'hosted',
        url: `${hostedOrigin}/cs_embed`,
        expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      }),
    );
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(
    html(`<main><h1>App</h1><button id="go">Connect</button></main><script type="module">
      import { createLinkController } from '/m/controller';
      import { createSessionCache } from '/m/session';
      import { embed } from '/m/embedEntry';
      window.__events = [];
      const options = () => ({
        mode: 'embed', embed, endpoint: '/session', theme: 'dark',
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

const user = { id: 'u1', name: 'Ada', username: 'ada', avatar: null };

function hostedHandler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', hostedOrigin);
  res.writeHead(200, { 'content-type': 'text/html' });
  if (url.pathname === '/exit-log') {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      exitRequests.push(JSON.parse(body));
    });
    return res.end();
  }
  if (url.pathname === '/forge') {
    // same origin as the hosted page, but not the frame the app opened
    return res.end(
      html(`<script>parent.postMessage({ type: 'OFAUTH_LINK', event: 'success', metadata: { redirect: false,
        connection: { id: 'conn_forged', userData: ${JSON.stringify(user)} } } }, '*');</script>`),
    );
  }
  const embedOrigin = url.searchParams.get('embed_origin') ?? '';
  res.end(
    html(`<p>Hosted ${url.searchParams.get('theme')}</p><script>
      const post = (m) => parent.postMessage({ type: 'OFAUTH_LINK', ...m }, ${JSON.stringify(embedOrigin)});
      post({ event: 'loaded' });
      window.addEventListener('message', (e) => {
        if (e.data && e.data.event === 'exit_requested') {
          fetch('/exit-log', { method: 'POST', body: JSON.stringify({ data: e.data, origin: e.origin }) });
          post({ event: 'exit', metadata: { type: 'user_exit', step: 'login', error: null } });
        }
        if (e.data && e.data.command === 'exit') post(e.data.message);
        if (e.data && e.data.command === 'succeed') {
          post({ event: 'success', metadata: { redirect: false, successUrl: '', connection: { id: 'conn_real', userData: ${JSON.stringify(user)} }, user: ${JSON.stringify(user)} } });
        }
      });
    </script>`),
  );
}

beforeAll(async () => {
  app = createServer(appHandler);
  hosted = createServer(hostedHandler);
  appOrigin = `http://127.0.0.1:${await listen(app)}`;
  hostedOrigin = `http://localhost:${await listen(hosted)}`;
  browser = await chromium.launch({ ...chromiumLaunchOptions, timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => app?.close(() => r()));
  await new Promise<void>((r) => hosted?.close(() => r()));
});

async function openModal(): Promise<Page> {
  exitRequests = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(appOrigin);
  await page.waitForFunction(() => (window as { __ready?: boolean }).__ready === true);
  await page.click('#go');
  await page.waitForFunction(() => (window as { __events?: string[] }).__events?.includes('loaded'));
  return page;
}

const outcomeOf = (page: Page) =>
  page
    .waitForFunction(() => (window as { __outcome?: unknown }).__outcome, undefined, { timeout: 10_000 })
    .then((h) => h.jsonValue());

describe('embedded flow in Chromium', () => {
  it('loads the hosted page with the embed parameters and accepts its success message', async () => {
    const page = await openModal();
    const src = await page.getAttribute('[role="dialog"] iframe', 'src');
    const url = new URL(src ?? '');
    expect(url.searchParams.get('embed')).toBe('true');
    expect(url.searchParams.get('embed_origin')).toBe(appOrigin);
    expect(url.searchParams.get('theme')).toBe('dark');
    const frame = page.frames().find((f) => f.url().includes('/cs_embed'));
    await frame?.evaluate(() => window.postMessage({ command: 'succeed' }, '*'));
    expect(await outcomeOf(page)).toEqual({
      status: 'success',
      connectionId: 'conn_real',
      user,
      confirmed: false,
    });
    expect(await page.evaluate(() => (window as { __events?: string[] }).__events)).toEqual([
      'session_requested',
      'session_ready',
      'opened',
      'loaded',
      'success',
      'closed',
    ]);
    expect(await page.$('[data-oflink-overlay]')).toBeNull();
    await page.context().close();
  }, 30_000);

  it('ignores a forged message from the app origin and from another frame of the hosted origin', async () => {
    const page = await openModal();
    await page.evaluate(() =>
      window.postMessage(
        {
          type: 'OFAUTH_LINK',
          event: 'success',
          metadata: { redirect: false, connection: { id: 'conn_self' } },
        },
        '*',
      ),
    );
    await page.evaluate((origin) => {
      const forger = document.createElement('iframe');
      forger.src = `${origin}/forge`;
      forger.title = 'forger';
      document.body.appendChild(forger);
      return new Promise((r) => forger.addEventListener('load', r));
    }, hostedOrigin);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __outcome?: unknown }).__outcome ?? null)).toBeNull();
    await page.keyboard.press('Escape');
    expect(await outcomeOf(page)).toEqual({ status: 'cancelled', step: 'login', reason: 'user' });
    await page.context().close();
  }, 30_000);

  it('on Escape sends exit_requested to the session origin only, and returns focus to the button', async () => {
    const page = await openModal();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('dialog');
    expect(await page.evaluate(() => document.body.style.overflow)).toBe('hidden');
    await page.keyboard.press('Escape');
    expect(await outcomeOf(page)).toEqual({ status: 'cancelled', step: 'login', reason: 'user' });
    await expect.poll(() => exitRequests, { timeout: 5000 }).toHaveLength(1);
    expect(exitRequests[0]).toEqual({
      data: { type: 'OFAUTH_LINK', event: 'exit_requested', force: false },
      origin: appOrigin,
    });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('go');
    expect(await page.evaluate(() => document.body.style.overflow)).toBe('');
    await page.context().close();
  }, 30_000);

  it.each([
    [
      'an exit type it does not know',
      { event: 'exit', metadata: { type: 'approval', step: 'pre-login', error: null } },
      { status: 'cancelled', step: 'pre-login', reason: 'user', exitType: 'approval' },
    ],
    ['an exit without metadata', { event: 'exit' }, { status: 'cancelled', reason: 'user' }],
    [
      'a forced exit',
      { event: 'exit', metadata: { type: 'forced_exit', error: null } },
      { status: 'cancelled', reason: 'forced' },
    ],
  ])('closes the modal on %s from the hosted page', async (_, message, outcome) => {
    const page = await openModal();
    const frame = page.frames().find((f) => f.url().includes('/cs_embed'));
    await frame?.evaluate((m) => window.postMessage({ command: 'exit', message: m }, '*'), message);
    expect(await outcomeOf(page)).toEqual(outcome);
    await page.waitForSelector('[role="dialog"]', { state: 'detached' });
    await page.context().close();
  });
});
