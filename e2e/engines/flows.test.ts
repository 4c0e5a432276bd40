// The flows that are about the browser itself, in the three engines people use: Chromium (its
// back-forward cache on), Firefox ESR and WebKitGTK. The demo's production build is served on
// `localhost`, the simulator's hosted pages on `127.0.0.1` (another site, as OFAuth's are), and a
// third-party frame on `127.0.0.1` too. What only Chromium shows in detail (attacks, React builds,
// StrictMode) is in the Playwright suite beside this folder.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../apps/demo/server/startDemoServer';
import { demoClientDir } from '../support/builds';
import { available, type Engine, type EngineName, launch, type Session, until } from './browsers';

let sim: Simulator;
let demo: DemoServer;
let frameSite: Server;
let frameOrigin = '';

beforeAll(async () => {
  sim = await startSimulator({ port: 0, host: '127.0.0.1', quiet: true, webhookRetryBaseMs: 250 });
  demo = await startDemoServer({
    port: 0,
    host: 'localhost',
    clientDir: demoClientDir('react19'),
    simulator: sim,
  });
  // another site's widget, framed in the app's page: its button opens a window (with a copy of the
  // app tab's sessionStorage) at the address it is given
  frameSite = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><button id="open">Win a prize</button><script>const open = document.getElementById('open'); open.onclick = () => { open.dataset.opened = window.open(${JSON.stringify(target)}) ? 'yes' : 'blocked'; }; open.dataset.ready = 'yes';</script>`,
    );
  });
  await new Promise<void>((resolve) => frameSite.listen(0, '127.0.0.1', resolve));
  frameOrigin = `http://127.0.0.1:${(frameSite.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => frameSite?.close(resolve));
  await demo?.stop();
  await sim?.stop();
});

const PASSWORD = 'good-password';
let n = 0;
const email = (scenario: string) => `engine-${Date.now().toString(36)}-${n++}@${scenario}.sandbox.com`;

const stepIs = (s: Session, name: string) =>
  until(
    `the hosted page's ${name} step`,
    async () => (await s.attr(`[data-step="${name}"]`, 'data-step')) === name,
  ).catch(async (error: Error) => {
    // what the page shows instead says whether the click before was lost or answered otherwise
    const shown = await s
      .evaluate<string>(
        "return location.href + ' on step ' + document.querySelector('[data-step]')?.getAttribute('data-step')",
      )
      .catch((unreadable: unknown) => `unreadable (${String(unreadable)})`);
    throw new Error(`${error.message}; the page is ${shown}`);
  });

/** A sandbox scenario walked from consent to its end, in the window or frame `s` acts on. */
async function walk(s: Session, scenario: string): Promise<void> {
  await stepIs(s, 'pre-login');
  await s.click('[data-action="continue"]');
  await stepIs(s, 'login');
  await s.fill('[name="email"]', email(scenario));
  await s.fill('[name="password"]', PASSWORD);
  await s.click('[data-action="submit"]');
  if (scenario.endsWith('-otp')) {
    await stepIs(s, '2fa');
    await s.fill('[name="code"]', '123456');
    await s.click('[data-action="submit"]');
  }
}

/** The window that opened after `before`'s windows. */
async function opened(s: Session, before: string[]): Promise<string> {
  let handle = '';
  await until('a new window', async () => {
    handle = (await s.windows()).find((h) => !before.includes(h)) ?? '';
    return handle !== '';
  });
  return handle;
}

const button = (mode: string) => `button[data-mode="${mode}"]`;

/** The outcome card once settled (a success after the server's confirmation). */
async function outcome(s: Session): Promise<{ status: string | null; confirmed: string | null }> {
  await until(
    'the outcome card',
    async () => (await s.attr('[data-testid="outcome"]', 'aria-busy')) === 'false',
  );
  return {
    status: await s.attr('[data-testid="outcome"]', 'data-status'),
    confirmed: await s.attr('[data-testid="outcome"]', 'data-confirmed'),
  };
}

const onOrigin = (s: Session, origin: string) =>
  until(`a page of ${origin}`, async () => new URL(await s.url()).origin === origin);

/** Clicks the popup button and switches to the popup, on its first step. */
async function startPopup(s: Session): Promise<{ app: string; popup: string }> {
  const app = s.current();
  const before = await s.windows();
  await s.click(button('popup'));
  const popup = await opened(s, before);
  await s.use(popup);
  await stepIs(s, 'pre-login');
  return { app, popup };
}

/** After a redirect's callback page: back to the page the person started on, through its link. */
async function returnFromCallback(s: Session): Promise<void> {
  await until('the callback page', async () => (await s.attr('[data-testid="return"]', 'href')) !== null);
  await s.click('[data-testid="return"]');
  await onOrigin(s, demo.url);
}

const engines = (['chromium', 'firefox', 'webkit'] as EngineName[]).filter(available);

it('runs in every engine this machine has (the test command installs all three on Debian)', () => {
  expect(engines).toEqual(['chromium', 'firefox', 'webkit']);
});

describe.each(engines)('in %s', (name) => {
  let engine: Engine;
  let s: Session;
  beforeAll(async () => {
    engine = await launch(name);
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });
  const fresh = async () => {
    await s?.close();
    s = await engine.session();
    sim.configure({ coop: false });
    await s.goto(demo.url);
    await until('the demo', async () => (await s.attr(button('popup'), 'data-state')) === 'idle');
  };

  it('popup: connects, and the server confirms it', async () => {
    await fresh();
    const { app } = await startPopup(s);
    await walk(s, 'creator');
    await s.use(app);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('popup under COOP (the opener severed): connects, never taken for closed', async () => {
    await fresh();
    sim.configure({ coop: true });
    const { app } = await startPopup(s);
    await walk(s, 'creator-otp');
    await s.use(app);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('popup: the person cancels on the consent step', async () => {
    await fresh();
    const { app } = await startPopup(s);
    await s.click('[data-action="cancel"]');
    await s.use(app);
    expect((await outcome(s)).status).toBe('cancelled');
  });

  it('popup: the person closes the window and comes back to the app', async () => {
    await fresh();
    const { app } = await startPopup(s);
    await s.closeWindow();
    await s.use(app);
    await s.click('h1');
    expect((await outcome(s)).status).toBe('cancelled');
  });

  it('popup: the session is slow to come, and the person closes the loading window: cancelled at once', async () => {
    await fresh();
    // OFAuth takes longer to answer the init than the person waits (the server gives up after 10 s)
    sim.injectFault({ type: 'latency', ms: 12_000 });
    const app = s.current();
    const before = await s.windows();
    await s.click(button('popup'));
    await s.use(await opened(s, before));
    await s.closeWindow();
    await s.use(app);
    expect((await outcome(s)).status).toBe('cancelled');
  });

  it('redirect: the callback page confirms, and the page the person returns to reports it', async () => {
    await fresh();
    await s.click(button('redirect'));
    await onOrigin(s, sim.url);
    await walk(s, 'fan');
    await returnFromCallback(s);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('redirect, then Back from the hosted page: the button works again and a new attempt completes', async () => {
    await fresh();
    await s.click(button('redirect'));
    await onOrigin(s, sim.url);
    await stepIs(s, 'pre-login');
    await s.back();
    await onOrigin(s, demo.url);
    // restored from the back-forward cache, or loaded afresh: either way not stuck in `open`
    await until('a usable redirect button', async () =>
      ['idle', 'error', 'success'].includes((await s.attr(button('redirect'), 'data-state')) ?? 'open'),
    );
    expect(await s.evaluate<string | null>("return sessionStorage.getItem('oflink:redirect')")).toBeNull();
    await s.click(button('redirect'));
    await onOrigin(s, sim.url);
    await walk(s, 'creator');
    await returnFromCallback(s);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('popup, reload, then redirect: the redirect completes (no popup record outlives its page)', async () => {
    await fresh();
    const { app } = await startPopup(s);
    await s.use(app);
    await s.reload();
    await until('the reloaded demo', async () => (await s.attr(button('redirect'), 'data-state')) === 'idle');
    await s.click(button('redirect'));
    await onOrigin(s, sim.url);
    await walk(s, 'creator');
    await returnFromCallback(s);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it("a cross-site frame in the app's page opens the callback URL during a popup attempt: nothing changes", async () => {
    await fresh();
    const { app, popup } = await startPopup(s);
    await s.use(app);
    const forged = `${demo.url}/callback?status=cancelled&step=login`;
    await s.evaluate(
      `const f = document.createElement('iframe'); f.id = 'widget'; f.style = 'position:fixed;top:0;left:0;width:320px;height:120px;z-index:2147483647;background:#fff'; f.src = ${JSON.stringify(`${frameOrigin}/?target=${encodeURIComponent(forged)}`)}; document.body.appendChild(f);`,
    );
    const before = await s.windows();
    await s.frame('#widget');
    // its handler set, not only its button parsed
    await until('the widget', async () => (await s.attr('#open', 'data-ready')) === 'yes');
    // the widget says when its click called window.open (and whether the browser allowed it): the
    // new window is looked for only then, and a click a busy browser did not deliver is sent again
    await until('the widget to take the click', async () => {
      if (!(await s.attr('#open', 'data-opened'))) await s.click('#open');
      await new Promise((r) => setTimeout(r, 500));
      return (await s.attr('#open', 'data-opened')) !== null;
    });
    expect(await s.attr('#open', 'data-opened')).toBe('yes');
    await s.frame(null);
    const forgedWindow = await opened(s, before);
    await s.use(forgedWindow);
    await until('the forged callback page', async () => new URL(await s.url()).pathname === '/callback');
    await until('the callback page settled', async () =>
      Boolean(await s.evaluate<boolean>('return document.readyState === "complete"')),
    );
    await s.use(app);
    expect(await s.attr(button('popup'), 'data-state')).toBe('open');
    await s.use(popup);
    await walk(s, 'creator');
    await s.use(app);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('embed: connects in the modal', async () => {
    await fresh();
    await s.click(button('embed'));
    await until('the modal', async () => (await s.attr('[data-oflink-overlay] iframe', 'src')) !== null);
    await s.frame('[data-oflink-overlay] iframe');
    await walk(s, 'fan-otp');
    await s.frame(null);
    expect(await outcome(s)).toEqual({ status: 'success', confirmed: 'true' });
  });

  it('embed: Escape closes the modal, cancelled', async () => {
    await fresh();
    await s.click(button('embed'));
    await until('the modal', async () => (await s.attr('[data-oflink-overlay] iframe', 'src')) !== null);
    await s.frame('[data-oflink-overlay] iframe');
    await stepIs(s, 'pre-login');
    await s.frame(null);
    await s.evaluate(
      "document.querySelector('[data-oflink-overlay] [role=dialog]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));",
    );
    expect((await outcome(s)).status).toBe('cancelled');
    expect(await s.attr('[data-oflink-overlay]', 'data-oflink-overlay')).toBeNull();
  });

  it('the connections page lists the connection just made', async () => {
    await fresh();
    const { app } = await startPopup(s);
    await walk(s, 'creator');
    await s.use(app);
    expect((await outcome(s)).status).toBe('success');
    await s.goto(`${demo.url}/connections`);
    await until(
      'the list',
      async () => (await s.attr('[data-testid="connections"] li', 'data-status')) !== null,
    );
  });
});
