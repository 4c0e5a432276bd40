// The flows a user of each example app goes through, in production builds, against the simulator.
// A success counts only once the app's server confirmed it: the page shows it after the confirm
// endpoint answered, and the server's own record holds the connection.
import { cancel, EMBED_FRAME, startFlow, step, walk } from '../../e2e/support/link';
import { expect, storedConnections, test } from './fixtures';

const button = (page: import('@playwright/test').Page) =>
  page.getByRole('button', { name: 'Connect OnlyFans' });
const status = (page: import('@playwright/test').Page) => page.getByRole('status');

async function expectConfirmed(page: import('@playwright/test').Page): Promise<void> {
  await expect(status(page)).toHaveAttribute('data-status', 'success');
  const id = /Connected (conn_[\w-]+)\./.exec((await status(page).textContent()) ?? '')?.[1];
  expect(id).toBeTruthy();
  expect(await storedConnections(page)).toContainEqual(expect.objectContaining({ id, status: 'active' }));
}

test('popup: connects, and the server confirms the connection @proxy', async ({ signedIn: page, simUrl }) => {
  await page.goto('/?mode=popup');
  const flow = await startFlow(page, 'popup', simUrl, button(page));
  await walk(flow.link, 'creator');
  await expectConfirmed(page);
  expect(flow.popup?.isClosed()).toBe(true);
});

test('popup: the person cancels on the consent step', async ({ signedIn: page, simUrl }) => {
  await page.goto('/?mode=popup');
  const flow = await startFlow(page, 'popup', simUrl, button(page));
  await cancel(flow.link);
  await expect(status(page)).toHaveAttribute('data-status', 'cancelled');
  expect(await storedConnections(page)).toEqual([]);
});

test('redirect: the callback page confirms, and the page the person returns to reports it', async ({
  signedIn: page,
  simUrl,
}) => {
  await page.goto('/?mode=redirect');
  const flow = await startFlow(page, 'redirect', simUrl, button(page));
  await walk(flow.link, 'fan-otp');
  await page.waitForURL(/\/oflink\/callback/);
  await page.getByRole('link', { name: 'Connected: continue' }).click();
  await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('mode') === 'redirect');
  await expectConfirmed(page);
});

test('redirect: a page with another button, visited on the way back, leaves the outcome to the button that started it', async ({
  signedIn: page,
  simUrl,
}) => {
  await page.goto('/?mode=redirect');
  const flow = await startFlow(page, 'redirect', simUrl, button(page));
  await walk(flow.link, 'creator');
  await page.waitForURL(/\/oflink\/callback/);
  await expect(page.getByRole('link', { name: 'Connected: continue' })).toBeVisible();
  // the popup button of the same path: mounted and hydrated, it reports nothing
  await page.goto('/?mode=popup');
  await expect(button(page)).toBeEnabled();
  await expect(status(page)).toHaveCount(0);
  await page.goto('/?mode=redirect');
  await expectConfirmed(page);
});

test('embed: connects in the modal, and the server confirms', async ({ signedIn: page, simUrl }) => {
  await page.goto('/?mode=embed');
  const flow = await startFlow(page, 'embed', simUrl, button(page));
  await walk(flow.link, 'creator-otp');
  await expect(page.locator(EMBED_FRAME)).toHaveCount(0);
  await expectConfirmed(page);
});

test('a 390 px phone: auto becomes a redirect, confirmed on return @proxy', async ({
  signedIn: page,
  simUrl,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await button(page).click();
  await page.waitForURL((url) => url.origin === simUrl);
  await step(page, 'pre-login');
  await walk(page, 'fan');
  await page.getByRole('link', { name: 'Connected: continue' }).click();
  await expectConfirmed(page);
});
