// Every way out of the hosted page that is not a connection, in each mode: cancel at each step, a
// wrong password then the right one, a locked account and a rejected code.
import { expect, test } from './fixtures';
import {
  cancel,
  consent,
  email,
  enterCode,
  login,
  MODES,
  outcome,
  startFlow,
  step,
  walk,
} from './support/link';

/** How the demo words the step an attempt was cancelled at (apps/demo/src/outcomeText.ts). */
const STEP_WORDS = {
  'pre-login': 'before signing in',
  login: 'on the sign-in screen',
  '2fa': 'at the verification code step',
} as const;

for (const mode of MODES) {
  for (const at of ['pre-login', 'login', '2fa'] as const) {
    test(`${mode}: Cancel on the ${at} step ends as cancelled at that step`, {
      tag: at === 'login' ? ['@react18'] : [],
    }, async ({ page, sim }) => {
      await page.goto('/');
      const flow = await startFlow(page, mode, sim.url);
      if (at !== 'pre-login') await consent(flow.link);
      if (at === '2fa') await login(flow.link, email('fan-otp'));
      await step(flow.link, at);
      await cancel(flow.link);

      const card = outcome(page);
      await expect(card).toHaveAttribute('data-status', 'cancelled');
      await expect(card).toContainText('You cancelled');
      await expect(card).toContainText(STEP_WORDS[at]);
      await expect(card).not.toHaveAttribute('data-connection-id');
      if (flow.popup) await expect.poll(() => flow.popup!.isClosed()).toBe(true);
      await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);
    });
  }

  test(`${mode}: a wrong password and a wrong code are refused in place, then the right ones connect`, async ({
    page,
    sim,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, mode, sim.url);
    const address = email('creator-otp');
    await consent(flow.link);
    await login(flow.link, address, 'wrong-password');
    await expect(flow.link.locator('[data-step="login"] [role="alert"]')).toBeVisible();
    await login(flow.link, address);
    await enterCode(flow.link, '000000');
    await expect(flow.link.locator('[data-step="2fa"] [role="alert"]')).toBeVisible();
    await expect(outcome(page)).toHaveCount(0);
    await enterCode(flow.link);
    await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
    await expect(outcome(page)).toHaveAttribute('data-status', 'success');
  });

  test(`${mode}: a locked account ends as an error with code account_locked`, async ({ page, sim }) => {
    await page.goto('/');
    const flow = await startFlow(page, mode, sim.url);
    await walk(flow.link, 'locked');
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'error');
    await expect(card.locator('code')).toHaveText('account_locked');
    await expect(card).not.toHaveAttribute('data-connection-id');
    if (flow.popup) await expect.poll(() => flow.popup!.isClosed()).toBe(true);
  });

  test(`${mode}: an account whose code OnlyFans rejects ends as an error with code 2fa_failed`, async ({
    page,
    sim,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, mode, sim.url);
    await consent(flow.link);
    await login(flow.link, email('otp-rejected'));
    await enterCode(flow.link); // the right code: this sandbox account is rejected anyway
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'error');
    await expect(card.locator('code')).toHaveText('2fa_failed');
    await expect(card).not.toHaveAttribute('data-connection-id');
  });
}
