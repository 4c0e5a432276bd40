// After the connect, each example's connections page keeps the user's connection true: listed once
// confirmed, "Reconnect" once OnlyFans signs it out (a signed webhook the app's store applied),
// active again after the reconnect, gone after a disconnect.
import type { Page } from '@playwright/test';
import { startFlow, walk } from '../../e2e/support/link';
import { expect, storedConnections, test } from './fixtures';

async function connectInPopup(page: Page, simUrl: string): Promise<string> {
  await page.goto('/?mode=popup');
  const flow = await startFlow(page, 'popup', simUrl, page.getByRole('button', { name: 'Connect OnlyFans' }));
  await walk(flow.link, 'creator');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'success');
  const [stored] = await storedConnections(page);
  if (!stored) throw new Error('the app stored no connection');
  return stored.id;
}

test('the connections page: listed, Reconnect once OnlyFans signs it out, reconnected, disconnected', async ({
  signedIn: page,
  simUrl,
}) => {
  const id = await connectInPopup(page, simUrl);
  await page.goto('/connections');
  const item = page.getByRole('listitem');
  await expect(item).toHaveAttribute('data-status', 'active');
  await expect(item.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);

  // OnlyFans signs the account out: the simulator sends a signed connection.expired to the app
  const expired = await fetch(`${simUrl}/v2/account/connections/${id}/invalidate`, {
    method: 'POST',
    headers: { apiKey: process.env.OFLINK_EXAMPLES_SIM_KEY ?? '' },
  });
  expect(expired.status).toBe(200);
  await expect(async () => {
    await page.reload();
    await expect(item).toHaveAttribute('data-status', 'expired', { timeout: 2_000 });
  }).toPass();

  const flow = await startFlow(page, 'popup', simUrl, item.getByRole('button', { name: 'Reconnect' }));
  await walk(flow.link, 'creator');
  await expect(async () => {
    await page.reload();
    await expect(item).toHaveAttribute('data-status', 'active', { timeout: 2_000 });
  }).toPass();

  await item.getByRole('button', { name: 'Disconnect' }).click();
  await expect(item).toHaveCount(0);
  expect(await storedConnections(page)).toEqual([]);
});
