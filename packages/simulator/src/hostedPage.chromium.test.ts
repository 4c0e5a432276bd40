// Real Chromium drives the hosted Link page as a top-level redirect and in a popup.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import {
  appOrigin,
  code,
  context,
  login,
  newSession,
  query,
  sim,
  step,
  walk,
  withHostedPages,
} from './hostedPageTestKit';

withHostedPages();

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
