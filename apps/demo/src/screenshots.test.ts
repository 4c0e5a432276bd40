// Real Chromium through the demo's main states. Each state is saved as a PNG under
// .test-output/screenshots/ (or $OFLINK_TEST_OUTPUT/screenshots/) and checked not to be blank:
// the screenshot's pixels are measured, and the page must have visible text and no console errors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Simulator, startSimulator } from '@oflink/simulator';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../scripts/chromium';
import { type DemoServer, startDemoServer } from '../server/startDemoServer';

const outDir = join(
  process.env.OFLINK_TEST_OUTPUT ?? fileURLToPath(new URL('../../../.test-output', import.meta.url)),
  'screenshots',
);

let sim: Simulator;
let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  sim = await startSimulator({ port: 0, quiet: true, webhookRetryBaseMs: 50 });
  demo = await startDemoServer({ port: 0, simulator: sim, clientDir: inject('clientDir') });
  browser = await chromium.launch(chromiumLaunchOptions);
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await sim?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
  page = await context.newPage();
  problems = [];
  page.on('console', (m) => {
    // the tab also visits the simulator's hosted page (whose /favicon.ico is a 404): only the app counts
    if (m.type() === 'error' && !m.location().url.startsWith(`${sim.url}/`)) {
      problems.push(`console: ${m.text()} (${m.location().url})`);
    }
  });
  page.on('pageerror', (e) => {
    if (!page.url().startsWith(`${sim.url}/`)) problems.push(`page error: ${e.message}`);
  });
});

afterEach(async () => {
  await context?.close();
});

/**
 * Measures a PNG in the browser: the share of pixels that differ from the most common colour
 * (the background) and the number of distinct colours. A blank or single-colour page has neither.
 */
async function pixelStats(png: Buffer): Promise<{ foreground: number; colours: number }> {
  const probe = await context.newPage();
  try {
    return await probe.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const total = data.length / 4;
      const background = Math.max(...counts.values());
      return { foreground: (total - background) / total, colours: counts.size };
    }, png.toString('base64'));
  } finally {
    await probe.close();
  }
}

/** Saves a full-page screenshot and fails on a blank or broken page. */
async function capture(name: string, origin = demo.url, fullPage = true) {
  await page.evaluate(() => document.fonts.ready);
  // a modal is fixed to the viewport: capture the viewport, as a person sees it
  const png = await page.screenshot({ fullPage });
  await writeFile(join(outDir, `demo-${name}.png`), png);
  const text = ((await page.locator('body').textContent()) ?? '').trim();
  expect(text.length, 'the page shows text').toBeGreaterThan(80);
  await expect(page.locator('header nav a').count()).resolves.toBe(2);
  expect(page.url().startsWith(origin)).toBe(true);
  const stats = await pixelStats(png);
  expect(stats.foreground, 'share of non-background pixels').toBeGreaterThan(0.03);
  expect(stats.colours, 'distinct colours').toBeGreaterThan(20);
  expect(problems).toEqual([]);
  // and it is usable: no serious or critical WCAG 2 A/AA violation (the cross-origin hosted page is not ours)
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      iframes: false,
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations).toEqual([]);
}

async function openConnect(url = demo.url) {
  await page.goto(`${url}/`);
  // hydrated: the four buttons are enabled
  for (const mode of ['popup', 'embed', 'redirect', 'auto']) {
    await page.locator(`button[data-mode="${mode}"]:not([disabled])`).waitFor();
  }
}

async function signInOnHostedPage(email: string) {
  await page.locator('[data-step="pre-login"]').waitFor();
  await page.click('[data-action="continue"]');
  await page.fill('[name="email"]', email);
  await page.fill('[name="password"]', 'good-password');
  await page.click('[data-action="submit"]');
}

describe('demo screenshots in Chromium', () => {
  it('Connect, idle: four ways to connect, no outcome yet', async () => {
    await openConnect();
    await expect(page.locator('[data-testid="outcome"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="outcome-idle"]').isVisible()).resolves.toBe(true);
    await expect(
      page.locator('footer [data-react-version]').getAttribute('data-react-version'),
    ).resolves.toMatch(/^19\./);
    await capture('connect-idle');
  });

  it('redirect flow: the callback page confirms the success on the server, and Connect shows it', async () => {
    await openConnect();
    await page.click('button[data-mode="redirect"]');
    await page.waitForURL((u) => u.href.startsWith(sim.url));
    await signInOnHostedPage('sofia@creator.sandbox.com');
    await page.waitForURL(`${demo.url}/callback**`);
    const outcome = page.locator('[data-testid="outcome"]');
    await page.locator('[data-testid="outcome"][data-confirmed="true"]').waitFor();
    await expect(outcome.getAttribute('data-status')).resolves.toBe('success');
    const connectionId = await outcome.getAttribute('data-connection-id');
    expect(connectionId).toMatch(/^conn_/);
    expect(sim.connections().map((c) => c.id)).toContain(connectionId);
    await expect(page.getByTestId('account-name').textContent()).resolves.toBe('Sofia');
    await expect(page.getByTestId('account-username').textContent()).resolves.toMatch(/^@/);
    // the unsigned parameters were stripped from the address bar
    expect(new URL(page.url()).search).toBe('');
    await capture('callback-redirect-success');

    await page.click('[data-testid="return"]');
    await page.waitForURL(`${demo.url}/`);
    await page.locator('[data-testid="outcome"][data-confirmed="true"]').waitFor();
    await expect(outcome.getAttribute('data-connection-id')).resolves.toBe(connectionId);
    await capture('connect-after-redirect-success');
  });

  it('Connections: a connection learned from the signed webhook', async () => {
    await openConnect();
    await page.click('button[data-mode="redirect"]');
    await page.waitForURL((u) => u.href.startsWith(sim.url));
    await signInOnHostedPage('noah@fan.sandbox.com');
    await page.locator('[data-testid="outcome"][data-confirmed="true"]').waitFor();
    await sim.webhooksIdle();
    await page.click('header nav a[href="/connections"]');
    const row = page.locator('[data-testid="connections"] li');
    await row.first().waitFor();
    await expect(row.count()).resolves.toBe(1);
    await expect(row.first().textContent()).resolves.toContain('Noah');
    await expect(row.first().textContent()).resolves.toContain('Webhook: created');
    await capture('connections-one');
  });

  it('Callback with a malformed address: an error explained in plain words', async () => {
    await page.goto(`${demo.url}/callback?status=bogus&connection_id=%3Cscript%3E`);
    const outcome = page.locator('[data-testid="outcome"]');
    await outcome.waitFor();
    await expect(outcome.getAttribute('data-status')).resolves.toBe('error');
    await expect(outcome.getAttribute('data-confirmed')).resolves.toBe('false');
    await expect(outcome.textContent()).resolves.toContain('We could not read the result');
    await capture('callback-malformed');
  });

  it('popup flow cancelled: the outcome says nothing was connected', async () => {
    await openConnect();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('button[data-mode="popup"]')]);
    await popup.locator('[data-step="pre-login"]').waitFor();
    await popup.click('[data-action="cancel"]');
    const outcome = page.locator('[data-testid="outcome"]');
    await outcome.waitFor();
    await expect(outcome.getAttribute('data-status')).resolves.toBe('cancelled');
    await expect(outcome.textContent()).resolves.toContain('Nothing was connected');
    await capture('connect-popup-cancelled');
  });

  it('embedded flow: the hosted page in a modal, then the confirmed account', async () => {
    await openConnect();
    await embedSignIn('lena@creator.sandbox.com', 'connect-embed-open');
    await expect(page.getByTestId('account-name').textContent()).resolves.toBe('Lena');
    await capture('connect-embed-success');
  });

  it('the React 18 build runs the same app: embedded flow to a confirmed account', async () => {
    const demo18 = await startDemoServer({ port: 0, simulator: sim, clientDir: inject('clientDirReact18') });
    try {
      await openConnect(demo18.url);
      const version = page.locator('footer [data-react-version]');
      await expect(version.getAttribute('data-react-version')).resolves.toMatch(/^18\./);
      await embedSignIn('ravi@creator.sandbox.com');
      await expect(page.getByTestId('account-name').textContent()).resolves.toBe('Ravi');
      await capture('connect-react18-embed-success', demo18.url);
    } finally {
      // the simulator is shared: point its webhooks back at the main demo server
      await demo18.stop();
      sim.configure({ webhookUrl: `${demo.url}/api/webhooks/ofauth` });
    }
  });
});

describe('more outcomes in Chromium', () => {
  it('reconnect through a pop-up: the same connection, confirmed again', async () => {
    await page.goto(`${demo.url}/`);
    const user = (await context.cookies(demo.url)).find((c) => c.name === 'oflink_demo_user')?.value;
    expect(user).toMatch(/^user_/);
    const conn = sim.addConnection({
      clientReferenceId: user!,
      userData: { id: '7', name: 'Iris Vale', username: 'irisvale', avatar: null },
    });
    const confirmed = await page.request.post(`${demo.url}/api/oflink/confirm`, {
      data: { connectionId: conn.id },
    });
    expect(confirmed.status()).toBe(200);
    await openConnect();
    const reconnect = page.locator(
      `button[data-action="reconnect"][data-connection-id="${conn.id}"]:not([disabled])`,
    );
    await reconnect.waitFor();
    const [popup] = await Promise.all([page.waitForEvent('popup'), reconnect.click()]);
    await popup.locator('[data-step="pre-login"]').waitFor();
    await popup.click('[data-action="continue"]');
    await popup.fill('[name="email"]', 'iris@creator.sandbox.com');
    await popup.fill('[name="password"]', 'good-password');
    await popup.click('[data-action="submit"]');
    const outcome = page.locator('[data-testid="outcome"][data-confirmed="true"]');
    await outcome.waitFor();
    await expect(outcome.getAttribute('data-connection-id')).resolves.toBe(conn.id);
    await expect(outcome.locator('h2').textContent()).resolves.toBe('Account reconnected');
    await capture('connect-reconnect-success');
  });

  it('OFAuth unavailable: the error is explained in plain words', async () => {
    await openConnect();
    // the server retries once: both attempts fail
    sim.injectFault({ type: 'status', status: 503, times: 2 });
    await page.click('button[data-mode="embed"]');
    const outcome = page.locator('[data-testid="outcome"]');
    await outcome.waitFor();
    await expect(outcome.getAttribute('data-status')).resolves.toBe('error');
    await expect(outcome.textContent()).resolves.toContain('OFAuth is unreachable');
    await expect(outcome.textContent()).resolves.toContain('upstream_unavailable');
    sim.clearFaults();
    // the session endpoint's 502 is an expected console message of the browser; nothing else is
    problems = problems.filter((p) => !p.includes('/api/oflink/session'));
    await capture('connect-error-unavailable');
  });
});

/** Runs the embedded flow from the Connect page; optionally captures the open modal. */
async function embedSignIn(email: string, captureOpen?: string) {
  await page.click('button[data-mode="embed"]');
  const frame = page.frameLocator('[data-oflink-overlay] [role="dialog"] iframe');
  await frame.locator('[data-step="pre-login"]').waitFor();
  await frame.locator('[data-action="continue"]').click();
  await frame.locator('[name="email"]').fill(email);
  await frame.locator('[name="password"]').fill('good-password');
  if (captureOpen) await capture(captureOpen, demo.url, false);
  await frame.locator('[data-action="submit"]').click();
  await page.locator('[data-testid="outcome"][data-confirmed="true"]').waitFor();
  await expect(page.locator('[data-oflink-overlay]').count()).resolves.toBe(0);
}
