// Real Chromium drives the hosted Link page in its three modes: top-level redirect, popup, and an
// iframe in a page from an allowed origin on another local port (and refused from another origin).
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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { type Simulator, startSimulator } from './startSimulator';

let browser: Browser;
let context: BrowserContext;
let sim: Simulator;
let app: Server;
let other: Server;
let appOrigin = '';
let otherOrigin = '';

type LinkMessage = { type: string; event: string; metadata?: Record<string, unknown> } & Record<
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

async function newSession(body: Record<string, unknown> = {}, apiKey = sim.apiKey): Promise<string> {
  const res = await fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey },
    body: JSON.stringify({ redirectUrl: `${appOrigin}/cb`, clientReferenceId: 'ref_1', ...body }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

type Scope = Page | Frame | FrameLocator;
const step = (scope: Scope, name: string) => scope.locator(`[data-step="${name}"]`).waitFor();

async function login(scope: Scope, email: string, password = 'good-password') {
  await step(scope, 'login');
  await scope.locator('[name="email"]').fill(email);
  await scope.locator('[name="password"]').fill(password);
  await scope.locator('[data-action="submit"]').click();
}

async function code(scope: Scope, value: string) {
  await step(scope, '2fa');
  await scope.locator('[name="code"]').fill(value);
  await scope.locator('[data-action="submit"]').click();
}

/** Walk a scenario from the consent step to its end. */
async function walk(scope: Scope, scenario: string) {
  await step(scope, 'pre-login');
  await scope.locator('[data-action="continue"]').click();
  await login(scope, `ana@${scenario}.sandbox.com`);
  if (scenario.endsWith('otp') || scenario === 'otp-rejected') await code(scope, '123456');
}

const query = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

describe('top-level redirect', { timeout: 30_000 }, () => {
  it.each(['creator', 'creator-otp', 'fan', 'fan-otp'])(
    'scenario %s ends on redirectUrl with status=success, connection_id and client_reference_id',
    async (scenario) => {
      const p = await context.newPage();
      await p.goto(await newSession());
      await walk(p, scenario);
      await p.waitForURL(/\/cb\?/);
      const conn = sim.connections()[0];
      expect(query(p)).toEqual({ status: 'success', connection_id: conn?.id, client_reference_id: 'ref_1' });
      expect(conn?.clientReferenceId).toBe('ref_1');
    },
  );

  it('Enter in a field submits the step (the primary action, never Cancel)', async () => {
    const p = await context.newPage();
    await p.goto(await newSession());
    await step(p, 'pre-login');
    await p.locator('[data-action="continue"]').click();
    await step(p, 'login');
    await p.locator('[name="email"]').fill('ana@creator-otp.sandbox.com');
    await p.locator('[name="password"]').fill('good-password');
    await p.locator('[name="password"]').press('Enter');
    await step(p, '2fa');
    await p.locator('[name="code"]').fill('123456');
    await p.locator('[name="code"]').press('Enter');
    await p.waitForURL(/\/cb\?/);
    expect(query(p)).toMatchObject({ status: 'success' });
  });

  it.each([
    ['locked', 'account_locked'],
    ['otp-rejected', '2fa_failed'],
  ])('scenario %s ends with status=error and error_code=%s', async (scenario, errorCode) => {
    const p = await context.newPage();
    await p.goto(await newSession());
    await walk(p, scenario);
    await p.waitForURL(/\/cb\?/);
    expect(query(p)).toEqual({ status: 'error', error_code: errorCode, client_reference_id: 'ref_1' });
    expect(sim.connections()).toEqual([]);
  });

  it('a wrong password shows an error and lets the person retry; a wrong code too', async () => {
    const p = await context.newPage();
    await p.goto(await newSession());
    await p.locator('[data-action="continue"]').click();
    await login(p, 'ana@creator-otp.sandbox.com', 'bad-password');
    await expect(p.locator('[data-step="login"] [role="alert"]').textContent()).resolves.toMatch(
      /wrong email or password/i,
    );
    expect(await p.locator('[name="email"]').inputValue()).toBe('ana@creator-otp.sandbox.com');
    await login(p, 'ana@creator-otp.sandbox.com');
    await code(p, '000000');
    await expect(p.locator('[data-step="2fa"] [role="alert"]').textContent()).resolves.toMatch(/not right/i);
    await code(p, '123456');
    await p.waitForURL(/\/cb\?/);
    expect(query(p).status).toBe('success');
  });

  it.each(['pre-login', 'login', '2fa'])(
    'Cancel on the %s step ends with status=cancelled and that step',
    async (at) => {
      const p = await context.newPage();
      await p.goto(await newSession());
      if (at !== 'pre-login') await p.locator('[data-action="continue"]').click();
      if (at === '2fa') await login(p, 'ana@fan-otp.sandbox.com');
      await step(p, at);
      await p.locator('[data-action="cancel"]').click();
      await p.waitForURL(/\/cb\?/);
      expect(query(p)).toEqual({ status: 'cancelled', step: at, client_reference_id: 'ref_1' });
    },
  );

  it('an expired session sends the person back with error_code=session_expired', async () => {
    const url = await newSession();
    sim.expireSession(url);
    const p = await context.newPage();
    await p.goto(url);
    await p.waitForURL(/\/cb\?/);
    expect(query(p)).toEqual({
      status: 'error',
      error_code: 'session_expired',
      client_reference_id: 'ref_1',
    });
  });

  it('a used session URL and an unknown one show the error step', async () => {
    const url = await newSession();
    const p = await context.newPage();
    await p.goto(url);
    await walk(p, 'creator');
    await p.waitForURL(/\/cb\?/);
    await p.goto(url);
    await step(p, 'error');
    expect(p.url()).toBe(url);
    await p.goto(`${sim.url}/cs_doesnotexist`);
    await step(p, 'error');
  });

  it('renders the theme and refuses to be framed outside embed mode', async () => {
    const url = await newSession();
    const res = await fetch(`${url}?theme=dark`);
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    const p = await context.newPage();
    await p.goto(`${url}?theme=dark`);
    expect(await p.locator('html').getAttribute('data-theme')).toBe('dark');
    const bg = await p.locator('main').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(26, 29, 35)');
  });
});

describe('popup', { timeout: 30_000 }, () => {
  async function openPopup(url: string): Promise<{ opener: Page; popup: Page }> {
    const opener = await context.newPage();
    await opener.goto(`${appOrigin}/popup?src=${encodeURIComponent(url)}`);
    const [popup] = await Promise.all([context.waitForEvent('page'), opener.locator('#open').click()]);
    return { opener, popup };
  }

  it('completes in a popup that keeps window.opener without COOP', async () => {
    const { popup } = await openPopup(await newSession());
    await walk(popup, 'creator-otp');
    await popup.waitForURL(/\/cb\?/);
    expect(query(popup).status).toBe('success');
    expect(await popup.evaluate(() => window.opener !== null)).toBe(true);
  });

  it('with coop, the hosted page sends COOP same-origin and the popup loses window.opener', async () => {
    sim.configure({ coop: true });
    const url = await newSession();
    expect((await fetch(url)).headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const { popup } = await openPopup(url);
    await walk(popup, 'fan');
    await popup.waitForURL(/\/cb\?/);
    expect(query(popup).status).toBe('success');
    expect(await popup.evaluate(() => window.opener === null)).toBe(true);
  });

  it.each([
    ['creator', { status: 'success' }],
    ['fan-otp', { status: 'success' }],
    ['locked', { status: 'error', error_code: 'account_locked' }],
    ['otp-rejected', { status: 'error', error_code: '2fa_failed' }],
  ])('scenario %s in a popup ends on the callback with %j', async (scenario, expected) => {
    const { popup } = await openPopup(await newSession());
    await walk(popup, scenario);
    await popup.waitForURL(/\/cb\?/);
    expect(query(popup)).toMatchObject({ ...expected, client_reference_id: 'ref_1' });
  });

  it('Cancel in a popup ends on the callback with status=cancelled', async () => {
    const { popup } = await openPopup(await newSession());
    await step(popup, 'pre-login');
    await popup.locator('[data-action="cancel"]').click();
    await popup.waitForURL(/\/cb\?/);
    expect(query(popup)).toMatchObject({ status: 'cancelled', step: 'pre-login' });
  });
});

describe('embedded iframe', { timeout: 30_000 }, () => {
  const embedSrc = (url: string, origin: string, theme = 'light') =>
    `${url}?embed=true&embed_origin=${encodeURIComponent(origin)}&theme=${theme}`;

  async function embed(url: string, host = appOrigin, embedOrigin = host, theme = 'light') {
    const p = await context.newPage();
    await p.goto(`${host}/embed?src=${encodeURIComponent(embedSrc(url, embedOrigin, theme))}`);
    return { p, frame: p.frameLocator('#link') };
  }
  const messages = (p: Page) =>
    p.evaluate(() => (window as unknown as { __messages: LinkMessage[] }).__messages);
  const waitFor = async (p: Page, event: string): Promise<LinkMessage> => {
    await p.waitForFunction(
      (e) => (window as unknown as { __messages: LinkMessage[] }).__messages.some((m) => m.event === e),
      event,
    );
    const found = (await messages(p)).find((m) => m.event === event);
    if (!found) throw new Error(`no ${event}`);
    return found;
  };

  it('posts loaded, sandbox_info and a v4 success with the connection, the user copy and successUrl', async () => {
    const url = await newSession({ clientAppId: 'app_strict' });
    expect((await fetch(embedSrc(url, appOrigin))).headers.get('content-security-policy')).toBe(
      `frame-ancestors 'self' ${appOrigin}`,
    );
    const { p, frame } = await embed(url);
    await waitFor(p, 'loaded');
    const info = await waitFor(p, 'sandbox_info');
    expect(info.metadata).toMatchObject({
      activeScenarioId: 'creator',
      currentScreen: 'pre-login',
      scenarios: expect.arrayContaining([
        {
          id: 'creator-otp',
          accountType: 'creator',
          loginType: 'app_otp',
          password: 'good-password',
          otpCode: '123456',
        },
      ]),
    });
    await walk(frame, 'creator-otp');
    const success = await waitFor(p, 'success');
    await step(frame, 'done');
    const conn = sim.connections()[0];
    expect(success).toEqual({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: {
        successUrl: `${appOrigin}/cb?status=success&connection_id=${conn?.id}&client_reference_id=ref_1`,
        redirect: false,
        connection: { id: conn?.id, userData: conn?.userData },
        user: conn?.userData,
      },
    });
    expect(p.url()).toContain('/embed');
  });

  it.each(['creator', 'fan', 'fan-otp'])(
    'scenario %s posts success with the new connection',
    async (scenario) => {
      const { p, frame } = await embed(await newSession());
      await walk(frame, scenario);
      const success = await waitFor(p, 'success');
      expect(success.metadata?.connection).toEqual({
        id: sim.connections()[0]?.id,
        userData: sim.connections()[0]?.userData,
      });
    },
  );

  it('sets redirect: true in success when the session was created with the deprecated mode "redirect"', async () => {
    const { p, frame } = await embed(await newSession({ mode: 'redirect' }));
    await walk(frame, 'fan');
    expect((await waitFor(p, 'success')).metadata?.redirect).toBe(true);
  });

  it.each(['pre-login', 'login', '2fa'])(
    'Cancel on %s posts exit {type: user_exit, step, error: null}',
    async (at) => {
      const { p, frame } = await embed(await newSession());
      if (at !== 'pre-login') await frame.locator('[data-action="continue"]').click();
      if (at === '2fa') await login(frame, 'ana@fan-otp.sandbox.com');
      await step(frame, at);
      await frame.locator('[data-action="cancel"]').click();
      expect((await waitFor(p, 'exit')).metadata).toEqual({ type: 'user_exit', step: at, error: null });
    },
  );

  it.each([
    ['locked', 'account_locked', 'login'],
    ['otp-rejected', '2fa_failed', '2fa'],
  ])(
    'scenario %s posts exit {type: error} with %s and shows the error step',
    async (scenario, errorType, at) => {
      const { p, frame } = await embed(await newSession());
      await walk(frame, scenario);
      await step(frame, 'error');
      expect((await waitFor(p, 'exit')).metadata).toMatchObject({
        type: 'error',
        step: at,
        error: { error_type: errorType, error_message: expect.any(String) },
      });
    },
  );

  it('posts invalid_session for an expired session', async () => {
    const url = await newSession();
    sim.expireSession(url);
    const { p, frame } = await embed(url);
    await waitFor(p, 'invalid_session');
    await step(frame, 'error');
    expect(p.url()).toContain('/embed');
  });

  it.each([
    ['an unknown session', (base: string) => `${base}/cs_doesnotexist`],
    ['a garbled session URL', (base: string) => `${base}/s/not-a-session!`],
  ])(
    'posts invalid_session for %s in a frame of a registered origin (never a blocked frame)',
    async (_, make) => {
      const url = make(sim.url);
      expect((await fetch(embedSrc(url, appOrigin))).headers.get('content-security-policy')).toBe(
        `frame-ancestors 'self' ${appOrigin}`,
      );
      const { p, frame } = await embed(url);
      await waitFor(p, 'invalid_session');
      await step(frame, 'error');
    },
  );

  it('posts invalid_session for a spent session', async () => {
    const url = await newSession();
    const first = await embed(url);
    await walk(first.frame, 'creator');
    await waitFor(first.p, 'success');
    const again = await embed(url);
    await waitFor(again.p, 'invalid_session');
  });

  it('posts loaded once per page load, not again on each step, and reports the code screen as "otp"', async () => {
    const { p, frame } = await embed(await newSession());
    await walk(frame, 'creator-otp');
    await waitFor(p, 'success');
    const events = (await messages(p)).map((m) => m.event);
    expect(events.filter((e) => e === 'loaded')).toHaveLength(1);
    const screens = (await messages(p))
      .filter((m) => m.event === 'sandbox_info')
      .map((m) => m.metadata?.currentScreen);
    expect(screens).toEqual(['pre-login', 'login', 'otp']);
  });

  it.each([
    [false, 'user_exit'],
    [true, 'forced_exit'],
  ])(
    'answers exit_requested (force=%s) from its parent with exit %s, and the session is spent',
    async (force, type) => {
      const url = await newSession();
      const { p, frame } = await embed(url);
      await frame.locator('[data-action="continue"]').click();
      await step(frame, 'login');
      await p.evaluate((f) => (window as unknown as { __request: (f: boolean) => void }).__request(f), force);
      expect((await waitFor(p, 'exit')).metadata).toEqual({ type, step: 'login', error: null });
      await expect.poll(() => sim.sessions()[0]?.state).toBe('cancelled');
    },
  );

  it('ignores exit_requested from a frame of another origin', async () => {
    const { p, frame } = await embed(await newSession());
    await waitFor(p, 'loaded');
    await p.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      document.body.appendChild(f);
      return new Promise((r) => {
        f.onload = r;
      });
    }, `${otherOrigin}/poster`);
    await p.waitForTimeout(300);
    expect((await messages(p)).map((m) => m.event)).not.toContain('exit');
    await frame.locator('[data-action="continue"]').click();
    await step(frame, 'login');
  });

  it('posts the pre-v4 flat shape with messageShape legacy (success flat, close on exit)', async () => {
    sim.configure({ messageShape: 'legacy' });
    const first = await embed(await newSession());
    await walk(first.frame, 'creator');
    const success = await waitFor(first.p, 'success');
    expect(success).toMatchObject({
      type: 'OFAUTH_LINK',
      event: 'success',
      redirect: false,
      connection: { id: sim.connections()[0]?.id },
      user: expect.any(Object),
    });
    expect(success.metadata).toBeUndefined();
    const second = await embed(await newSession());
    await second.frame.locator('[data-action="cancel"]').click();
    expect(await waitFor(second.p, 'close')).toEqual({
      type: 'OFAUTH_LINK',
      event: 'close',
      step: 'pre-login',
      error: null,
    });
  });

  it('sends no sandbox_info for a key that is not sk_sandbox_', async () => {
    const { p } = await embed(await newSession({}, 'sk_live_simulator'));
    await waitFor(p, 'loaded');
    await p.waitForTimeout(200);
    expect((await messages(p)).map((m) => m.event)).toEqual(['loaded']);
  });

  it('renders the dark theme in the frame', async () => {
    const { frame } = await embed(await newSession(), appOrigin, appOrigin, 'dark');
    await step(frame, 'pre-login');
    expect(await frame.locator('html').getAttribute('data-theme')).toBe('dark');
  });

  it.each([
    ['its own origin as embed_origin', 'own'],
    ['an allowed embed_origin it does not have', 'allowed'],
  ])('is refused in a frame from an origin the app does not allow (%s)', async (_name, pick) => {
    const url = await newSession({ clientAppId: 'app_strict' });
    const embedOrigin = pick === 'own' ? otherOrigin : appOrigin;
    expect((await fetch(embedSrc(url, otherOrigin))).headers.get('content-security-policy')).toBe(
      "frame-ancestors 'none'",
    );
    const { p } = await embed(url, otherOrigin, embedOrigin);
    await p.waitForFunction(() => (window as unknown as { __frameLoaded?: boolean }).__frameLoaded === true);
    await p.waitForTimeout(300);
    expect(await messages(p)).toEqual([]);
    const child = p.frames().find((f) => f !== p.mainFrame());
    expect(await child?.locator('[data-step]').count()).toBe(0);
    expect(sim.sessions()[0]?.state).toBe('pre-login');
  });
});
