// What people and frameworks do to a button: double clicks, StrictMode (the development builds in
// the @strict projects double-invoke effects), several buttons on one page, leaving mid-flow.
import type { Page, Route } from '@playwright/test';
import { expect, test } from './fixtures';
import { button, EMBED_FRAME, MODES, outcome, startFlow, step, walk } from './support/link';

const tag = ['@strict', '@react18'];

/** Counts the app's session requests. */
function countSessions(page: Page): { count: number } {
  const seen = { count: 0 };
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/oflink/session') seen.count++;
  });
  return seen;
}

for (const mode of MODES) {
  test(`${mode}: a double click makes one session request, one window and one outcome`, { tag }, async ({
    page,
    sim,
  }) => {
    const sessions = countSessions(page);
    const before = new Set(sim.sessions().map((s) => s.id));
    let popups = 0;
    page.on('popup', () => popups++);
    await page.goto('/');
    const opened = mode === 'popup' ? page.waitForEvent('popup') : null;
    await button(page, mode).dblclick();
    const popup = opened ? await opened : null;
    const link = mode === 'popup' ? popup! : mode === 'embed' ? page.frameLocator(EMBED_FRAME) : page;
    if (mode === 'redirect') await page.waitForURL((u) => u.origin === sim.url);
    await step(link, 'pre-login');
    if (mode === 'embed') await expect(page.locator('[data-oflink-overlay]')).toHaveCount(1);
    expect(sessions.count).toBe(1);
    await walk(link, 'creator');
    await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
    expect(popups).toBe(mode === 'popup' ? 1 : 0);
    // one session reached an outcome (a later one may be prefetched for the next click, unused)
    const mine = sim.sessions().filter((s) => !before.has(s.id));
    const ended = mine.filter((s) => ['success', 'cancelled', 'error', 'expired'].includes(s.state));
    expect(ended.map((s) => s.state)).toEqual(['success']);
  });
}

test('two buttons on one page run two independent attempts at once', { tag }, async ({ page, sim }) => {
  await page.goto('/');
  const popupFlow = await startFlow(page, 'popup', sim.url);
  // while the popup is open, the embedded button starts its own attempt with its own session
  const embedFlow = await startFlow(page, 'embed', sim.url);
  const popupSession = popupFlow.popup!.url();
  const embedSession = (await page.locator(EMBED_FRAME).getAttribute('src')) ?? '';
  expect(new URL(embedSession).pathname).not.toBe(new URL(popupSession).pathname);

  await walk(embedFlow.link, 'fan');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
  await expect(outcome(page)).toContainText('Embedded');
  const embedId = await outcome(page).getAttribute('data-connection-id');
  await expect(button(page, 'popup')).toHaveAttribute('data-state', 'open');
  expect(popupFlow.popup!.isClosed()).toBe(false);

  await walk(popupFlow.link, 'creator');
  await expect(outcome(page)).toContainText('Pop-up window');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
  const popupId = await outcome(page).getAttribute('data-connection-id');
  expect(popupId).not.toBe(embedId);
});

test('popup: leaving the page mid-flow closes the popup, and a new attempt works', { tag }, async ({
  page,
  sim,
}) => {
  await page.goto('/');
  const flow = await startFlow(page, 'popup', sim.url);
  await page.getByRole('link', { name: 'Connections' }).click();
  await expect(page).toHaveURL(/\/connections$/);
  await expect.poll(() => flow.popup!.isClosed()).toBe(true);
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await expect(outcome(page)).toHaveCount(0);
  const again = await startFlow(page, 'popup', sim.url);
  await walk(again.link, 'creator');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
});

test('popup: the session endpoint does not answer; closing the loading window ends the attempt, and the next click connects', {
  tag,
}, async ({ page, sim }) => {
  // the first session request (the hover's prefetch, which the click joins) gets no answer
  let held: Route | null = null;
  await page.route('**/api/oflink/session', (route) => {
    if (held) return route.continue();
    held = route;
  });
  await page.goto('/');
  const opened = page.waitForEvent('popup');
  await button(page, 'popup').click();
  const popup = await opened;
  await expect(popup.locator('body')).toHaveText('Loading…');
  await popup.close();
  await expect(outcome(page)).toHaveAttribute('data-status', 'cancelled');
  await expect(button(page, 'popup')).toBeEnabled();
  // the answer comes at last: the next click opens it
  await (held as Route | null)?.continue();
  const again = await startFlow(page, 'popup', sim.url);
  await walk(again.link, 'creator');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
});

test('embed: leaving the page mid-flow removes the modal, and a new attempt works', { tag }, async ({
  page,
  sim,
}) => {
  await page.goto('/');
  await startFlow(page, 'embed', sim.url);
  // the app navigates on its own (the modal covers its links)
  await page.evaluate(() => {
    history.pushState(null, '', '/connections');
    dispatchEvent(new PopStateEvent('popstate'));
  });
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);
  await expect(page.locator('body')).not.toHaveCSS('overflow', 'hidden');
  await page.goBack({ waitUntil: 'commit' });
  const again = await startFlow(page, 'embed', sim.url);
  await walk(again.link, 'creator');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
});

test('redirect: going back from the hosted page mid-flow, then starting again, completes', { tag }, async ({
  page,
  sim,
}) => {
  await page.goto('/');
  await startFlow(page, 'redirect', sim.url);
  await page.goBack({ waitUntil: 'commit' });
  await expect(button(page, 'redirect')).toBeVisible();
  await expect(button(page, 'redirect')).toBeEnabled();
  const again = await startFlow(page, 'redirect', sim.url);
  await walk(again.link, 'creator');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
});
