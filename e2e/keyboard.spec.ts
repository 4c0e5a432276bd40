// Keyboard only, and an accessibility check (axe-core) of the open modal.
import { createRequire } from 'node:module';
import type { Frame, Page } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { expect, test } from './fixtures';
import { button, EMBED_FRAME, type Mode, outcome, step, walk } from './support/link';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Presses Tab until the demo's button for `mode` has focus. */
async function tabTo(page: Page, mode: Mode): Promise<void> {
  const target = button(page, mode);
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached the ${mode} button`);
}

/** Runs axe-core in a page or frame on `selector`; returns the violations, compactly. */
async function axe(scope: Page | Frame, selector: string) {
  await scope.addScriptTag({ path: axePath });
  const results = await scope.evaluate(
    (sel) =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(sel, {
        iframes: false,
        resultTypes: ['violations'],
      }),
    selector,
  );
  return results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target) }));
}

test('embed: Tab to the button, Enter opens the modal, Escape closes it and focus returns', {
  tag: ['@react18'],
}, async ({ page, sim }) => {
  await page.goto('/');
  await tabTo(page, 'embed');
  await page.keyboard.press('Enter');
  const dialog = page.locator('[data-oflink-overlay] [role="dialog"]');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toHaveAccessibleName(/.+/);
  await step(page.frameLocator(EMBED_FRAME), 'pre-login');
  await expect(dialog).toBeFocused();

  expect(await axe(page, '[data-oflink-overlay]')).toEqual([]);
  const link = page.frames().find((f) => f.url().startsWith(sim.url));
  expect(await axe(link!, 'body')).toEqual([]);

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(button(page, 'embed')).toBeFocused();
  await expect(outcome(page)).toHaveAttribute('data-status', 'cancelled');
  await expect(page.locator('body')).not.toHaveCSS('overflow', 'hidden');
});

test('embed: the whole flow can be done with the keyboard', { tag: ['@react18'] }, async ({ page, sim }) => {
  await page.goto('/');
  await tabTo(page, 'embed');
  await page.keyboard.press('Enter');
  const link = page.frameLocator(EMBED_FRAME);
  await step(link, 'pre-login');
  // Tab moves from the dialog into the hosted page; its controls are reachable in order
  await page.keyboard.press('Tab');
  const frame = page.frames().find((f) => f.url().startsWith(sim.url))!;
  const focused = () => frame.evaluate(() => document.activeElement?.getAttribute('data-action') ?? null);
  for (let i = 0; i < 10 && (await focused()) !== 'continue'; i++) await page.keyboard.press('Tab');
  expect(await focused()).toBe('continue');
  await page.keyboard.press('Enter');
  await step(link, 'login');
  await link.locator('[name="email"]').focus();
  await page.keyboard.type(`kb-${Date.now()}@creator.sandbox.com`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('good-password');
  await page.keyboard.press('Enter');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
  await expect(button(page, 'embed')).toBeFocused();
});

test('popup: Tab to the button and Enter opens the popup; the flow completes', { tag: ['@react18'] }, async ({
  page,
  sim,
}) => {
  await page.goto('/');
  await tabTo(page, 'popup');
  const opened = page.waitForEvent('popup');
  await page.keyboard.press('Enter');
  const popup = await opened;
  await popup.waitForURL((u) => u.origin === sim.url);
  await walk(popup, 'fan');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
});
