// The pages and servers of the hosted-page tests in Chromium (not part of the package): the app on two
// local origins (callback, embedding, popup-opening and cross-origin posting pages), the simulator with
// a strict app of the first origin, and the steps a person takes through a hosted page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Frame,
  type FrameLocator,
  type Page,
} from 'playwright';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { startSimulator } from './startSimulator';
import type { Simulator } from './types';

let browser: Browser;
let app: Server;
let other: Server;
// live bindings: a test file reads them once its hooks ran
export let context: BrowserContext;
export let sim: Simulator;
export let appOrigin = '';
export let otherOrigin = '';

export type LinkMessage = { type: string; event: string; metadata?: Record<string, unknown> } & Record<
  string,
  unknown
>;

function page(res: ServerResponse, html: string) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${html}</body></html>`);
}

/** The app: a callback page, an embedding page, a popup opener and a cross-origin poster. */
function appHandler(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const src = url.searchParams.get('src') ?? '';
  const simOrigin = JSON.stringify(sim.url);
  if (url.pathname === '/cb') return page(res, `<h1 id="cb">callback</h1>`);
  if (url.pathname === '/embed') {
    return page(
      res,
      `<script>
      window.__messages = [];
      window.addEventListener('message', (e) => { if (e.origin === ${simOrigin}) window.__messages.push(e.data); });
      const f = document.createElement('iframe');
      f.id = 'link'; f.width = 400; f.height = 600; f.src = ${JSON.stringify(src)};
      f.onload = () => { window.__frameLoaded = true; };
      document.body.appendChild(f);
      window.__request = (force) => f.contentWindow.postMessage({ type: 'OFAUTH_LINK', event: 'exit_requested', force }, ${simOrigin});
      </script>`,
    );
  }
  if (url.pathname === '/popup') {
    return page(
      res,
      `<button id="open">Connect</button><script>document.getElementById('open').addEventListener('click', () => window.open(${JSON.stringify(src)}, 'oflink_test', 'popup=yes,width=400,height=600'));</script>`,
    );
  }
  if (url.pathname === '/poster') {
    // A page from another origin, framed next to the hosted page, that tries to close it.
    return page(
      res,
      `<script>parent.frames[0].postMessage({ type: 'OFAUTH_LINK', event: 'exit_requested', force: true }, '*'); window.__posted = true;</script>`,
    );
  }
  res.writeHead(404);
  res.end();
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/**
 * Starts the app's two origins, the simulator and Chromium before the file's tests; closes the pages
 * and resets the simulator after each test.
 */
export function withHostedPages(): void {
  beforeAll(async () => {
    app = createServer(appHandler);
    other = createServer(appHandler);
    appOrigin = await listen(app);
    otherOrigin = await listen(other);
    sim = await startSimulator({
      port: 0,
      quiet: true,
      apiKeys: ['sk_sandbox_simulator', 'sk_live_simulator'],
      apps: [
        { id: 'app_demo' },
        { id: 'app_strict', redirectUris: [`${appOrigin}/cb`], allowedOrigins: [appOrigin] },
      ],
    });
    browser = await chromium.launch({ ...chromiumLaunchOptions, timeout: 30_000 });
    context = await browser.newContext();
    context.setDefaultTimeout(10_000);
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sim?.stop();
    for (const s of [app, other]) {
      s?.closeAllConnections();
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    }
  }, 20_000);

  afterEach(async () => {
    for (const p of context.pages()) await p.close();
    sim.reset();
    sim.configure({ coop: false, messageShape: 'v4' });
  });
}

/** A session of the strict app, returning to the app's callback page; its hosted URL. */
export async function newSession(body: Record<string, unknown> = {}, apiKey = sim.apiKey): Promise<string> {
  const res = await fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey },
    body: JSON.stringify({ redirectUrl: `${appOrigin}/cb`, clientReferenceId: 'ref_1', ...body }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

export type Scope = Page | Frame | FrameLocator;
export const step = (scope: Scope, name: string) => scope.locator(`[data-step="${name}"]`).waitFor();

export async function login(scope: Scope, email: string, password = 'good-password') {
  await step(scope, 'login');
  await scope.locator('[name="email"]').fill(email);
  await scope.locator('[name="password"]').fill(password);
  await scope.locator('[data-action="submit"]').click();
}

export async function code(scope: Scope, value: string) {
  await step(scope, '2fa');
  await scope.locator('[name="code"]').fill(value);
  await scope.locator('[data-action="submit"]').click();
}

/** Walk a scenario from the consent step to its end. */
export async function walk(scope: Scope, scenario: string) {
  await step(scope, 'pre-login');
  await scope.locator('[data-action="continue"]').click();
  await login(scope, `ana@${scenario}.sandbox.com`);
  if (scenario.endsWith('otp') || scenario === 'otp-rejected') await code(scope, '123456');
}

export const query = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);
