// The three engines people click Connect in, driven the one way each can be from Debian's packages:
// Chromium and Firefox ESR through puppeteer-core (DevTools and WebDriver BiDi), WebKitGTK through
// WebKitWebDriver and its MiniBrowser under Xvfb. One small interface over both, so each flow is
// written once. Nothing is downloaded.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import puppeteer, {
  type BrowserContext,
  type Frame,
  type Page,
  type Browser as PBrowser,
} from 'puppeteer-core';
import { chromiumArgs, chromiumExecutable } from '../../scripts/chromium';
import { elementId, find, newSession, type WebDriverSession } from './webdriver';

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** A browsing session of one engine: a fresh profile with its windows. Selectors are CSS. */
export interface Session {
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  click(selector: string): Promise<void>;
  fill(selector: string, text: string): Promise<void>;
  /** An attribute of the first match, or null when nothing matches. */
  attr(selector: string, name: string): Promise<string | null>;
  /** Runs `body` (a function body: `return …`) in the current window or frame. */
  evaluate<T>(body: string): Promise<T>;
  /** The open windows' handles, in the order they opened. */
  windows(): Promise<string[]>;
  /** Acts on this window from now on (its top document). */
  use(handle: string): Promise<void>;
  /** The handle of the window acted on. */
  current(): string;
  /** Acts inside the iframe that `selector` matches, or (null) on the top document again. */
  frame(selector: string | null): Promise<void>;
  back(): Promise<void>;
  reload(): Promise<void>;
  /** Closes the window acted on, as the person would (then `use` another). */
  closeWindow(): Promise<void>;
  close(): Promise<void>;
}

/** A running engine. */
export interface Engine {
  name: EngineName;
  session(): Promise<Session>;
  close(): Promise<void>;
}

/** Whether this machine has the engine's program (the test command installs Debian's packages). */
export function available(name: EngineName): boolean {
  if (name === 'chromium') return existsSync(chromiumExecutable);
  if (name === 'firefox') return existsSync(FIREFOX);
  return existsSync(MINIBROWSER) && existsSync('/usr/bin/WebKitWebDriver') && existsSync('/usr/bin/Xvfb');
}

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export async function launch(name: EngineName): Promise<Engine> {
  if (name === 'webkit') return launchWebKit();
  const browser =
    name === 'chromium'
      ? await puppeteer.launch({
          executablePath: chromiumExecutable,
          headless: true,
          // puppeteer's own defaults keep the back-forward cache on: Back must restore pages as people see it
          args: chromiumArgs,
        })
      : await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  return { name, session: () => puppeteerSession(browser), close: () => browser.close() };
}

async function puppeteerSession(browser: PBrowser): Promise<Session> {
  const context: BrowserContext = await browser.createBrowserContext();
  const handles = new WeakMap<Page, string>();
  let next = 0;
  const handleOf = (p: Page) => {
    if (!handles.has(p)) handles.set(p, `w${next++}`);
    return handles.get(p) as string;
  };
  let page = await context.newPage();
  handleOf(page);
  // the frame is found again at every use: a cross-origin iframe's document moves to another
  // process as it navigates, and the Frame object found before the move is then detached
  let frameSelector: string | null = null;
  const here = async (): Promise<Frame> => {
    if (frameSelector === null) return page.mainFrame();
    const frame = await (await page.$(frameSelector))?.contentFrame();
    if (!frame) throw new Error(`${frameSelector} is not a frame`);
    return frame;
  };
  const pages = async () => (await context.pages()).filter((p) => !p.isClosed());
  return {
    goto: async (url) => {
      await page.goto(url);
    },
    // from the document: after a back-forward cache restore the driver's own record may be stale
    url: () => page.evaluate('location.href') as Promise<string>,
    click: async (selector) => {
      // A click goes to where the element is drawn. A frame of another site, just loaded in a busy
      // browser, may not take input there yet, and the click then reaches the page behind it: a
      // click the document did not receive is sent again (one it received never is).
      for (let attempt = 1; ; attempt++) {
        const target = await here();
        const before = await target.evaluate(countClicks);
        await target.click(selector);
        const deadline = Date.now() + 2_000;
        let received = false;
        while (!received && Date.now() < deadline) {
          try {
            received = (await target.evaluate(countClicks)) !== before;
          } catch {
            // the document went away (the click navigated it, or its frame closed): it was received
            received = true;
          }
          if (!received) await new Promise((r) => setTimeout(r, 100));
        }
        if (received || attempt === 3) return;
      }
    },
    fill: async (selector, text) => {
      await (await here()).locator(selector).fill(text);
    },
    attr: async (selector, name) =>
      (await here()).evaluate((s, n) => document.querySelector(s)?.getAttribute(n) ?? null, selector, name),
    evaluate: async (body) => (await here()).evaluate(`(() => { ${body} })()`) as never,
    windows: async () =>
      (await pages()).map(handleOf).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
    use: async (handle) => {
      const found = (await pages()).find((p) => handleOf(p) === handle);
      if (!found) throw new Error(`no open window ${handle}`);
      page = found;
      frameSelector = null;
      await page.bringToFront();
    },
    current: () => handleOf(page),
    frame: async (selector) => {
      if (selector !== null) await page.waitForSelector(selector);
      frameSelector = selector;
      await here();
    },
    back: async () => {
      // not goBack(): a page the back-forward cache restores fires no load event to wait for
      await page.evaluate('history.back()');
    },
    reload: async () => {
      await page.reload();
    },
    closeWindow: async () => {
      await page.close();
    },
    close: () => context.close(),
  };
}

/**
 * Which document this is and how many clicks it received so far, counted from the first call (in
 * the capture phase, so that a handler stopping the event does not hide it). Another document, or
 * one more click, gives another answer.
 */
function countClicks(): string {
  const w = window as Window & { __clicksReceived?: { id: string; n: number } };
  if (!w.__clicksReceived) {
    const counter = { id: Math.random().toString(36).slice(2), n: 0 };
    w.__clicksReceived = counter;
    window.addEventListener('click', () => counter.n++, true);
  }
  return `${w.__clicksReceived.id}:${w.__clicksReceived.n}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command` and waits until `ready()` holds (or the process exits). */
async function started(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
) {
  const child = spawn(command, args, { env, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
    if (await ready().catch(() => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${command} did not start`);
}

async function launchWebKit(): Promise<Engine> {
  const display = `:${90 + Math.floor(Math.random() * 400)}`;
  const xvfb = await started(
    '/usr/bin/Xvfb',
    // -noreset: by default the X server resets when its last client leaves, which is each time a
    // session's browser quits, and a browser that connects during the reset cannot open the display
    // (the driver then waits for it forever)
    [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp', '-noreset'],
    process.env,
    async () => existsSync(`/tmp/.X11-unix/X${display.slice(1)}`),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let driver: ChildProcess;
  try {
    driver = await started(
      '/usr/bin/WebKitWebDriver',
      [`--port=${port}`],
      { ...process.env, DISPLAY: display },
      async () => (await fetch(`${base}/status`)).ok,
    );
  } catch (error) {
    xvfb.kill();
    throw error;
  }
  return {
    name: 'webkit',
    session: async () =>
      webdriverSession(
        await newSession(base, {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        }),
      ),
    close: async () => {
      driver.kill();
      xvfb.kill();
    },
  };
}

async function webdriverSession(s: WebDriverSession): Promise<Session> {
  let handle = await s.command<string>('GET', 'window');
  const element = async (selector: string) => {
    const ref = await find(s, selector);
    if (!ref) throw new Error(`nothing matches ${selector}`);
    return elementId(ref);
  };
  const script = <T>(body: string, args: unknown[] = []) =>
    s.command<T>('POST', 'execute/sync', { script: body, args });
  return {
    goto: async (url) => {
      await s.command('POST', 'url', { url });
    },
    url: () => s.command<string>('GET', 'url'),
    click: async (selector) => {
      await s.command('POST', `element/${await element(selector)}/click`);
    },
    fill: async (selector, text) => {
      const id = await element(selector);
      await s.command('POST', `element/${id}/clear`);
      await s.command('POST', `element/${id}/value`, { text });
    },
    attr: (selector, name) =>
      script<string | null>(
        'const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;',
        [selector, name],
      ),
    evaluate: (body) => script(body),
    windows: () => s.command<string[]>('GET', 'window/handles'),
    use: async (h) => {
      await s.command('POST', 'window', { handle: h });
      handle = h;
    },
    current: () => handle,
    frame: async (selector) => {
      if (selector === null) {
        // the top document, whatever became of the frame (the embed's leaves with its modal)
        await s.command('POST', 'frame', { id: null });
        return;
      }
      const ref = await find(s, selector);
      if (!ref) throw new Error(`nothing matches ${selector}`);
      await s.command('POST', 'frame', { id: ref });
    },
    back: async () => {
      await s.command('POST', 'back');
    },
    reload: async () => {
      await s.command('POST', 'refresh');
    },
    closeWindow: async () => {
      await s.command('DELETE', 'window');
    },
    close: async () => {
      await s.command('DELETE', '').catch(() => undefined);
    },
  };
}

/** Polls `check` until it holds, or fails after `timeoutMs` saying what was awaited. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
