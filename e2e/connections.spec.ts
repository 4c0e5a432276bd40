// After the connect, in the demo: the connection is listed from the app's own store; OnlyFans
// signing the person out (a signed webhook) turns it into "reconnect"; a reconnect keeps the same
// connection id; a disconnect that OFAuth refuses is rolled back; a disconnect removes it.
import { expect, test } from './fixtures';
import { outcome, startFlow, walk } from './support/link';

test('connect, see it listed, expire it, reconnect the same connection, disconnect it', {
  tag: ['@strict'],
}, async ({ page, sim }) => {
  await page.goto('/');
  const first = await startFlow(page, 'popup', sim.url);
  await walk(first.link, 'creator');
  const card = outcome(page);
  await expect(card).toHaveAttribute('data-confirmed', 'true');
  const connectionId = (await card.getAttribute('data-connection-id')) ?? '';
  expect(connectionId).toMatch(/^conn_/);

  await page.goto('/connections');
  const row = page.locator(`[data-connection-id="${connectionId}"]`);
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row.locator('[data-action="reconnect"]')).toHaveCount(0);

  // OnlyFans signs the account out: OFAuth sends a signed connection.expired to the demo server
  const expired = await fetch(`${sim.url}/v2/account/connections/${connectionId}/invalidate`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey },
  });
  expect(expired.status).toBe(200);
  await expect(row).toHaveAttribute('data-status', 'expired');
  const reconnect = row.locator('[data-action="reconnect"]');
  await expect(reconnect).toBeVisible();

  const again = await startFlow(page, 'popup', sim.url, reconnect);
  await walk(again.link, 'creator');
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(reconnect).toHaveCount(0);
  expect(sim.connections().map((c) => c.id)).toContain(connectionId);
  expect(sim.sessions().at(-1)?.connectionId).toBe(connectionId);
  await expect(page.locator('[data-connection-id]')).toHaveCount(1);

  // OFAuth fails the disconnect: the row comes back and the error is shown
  sim.injectFault({ type: 'status', status: 500, times: 20 });
  await row.locator('[data-action="disconnect"]').click();
  await expect(page.getByTestId('disconnect-error')).toBeVisible();
  await expect(row).toHaveAttribute('aria-busy', 'false');
  expect(sim.connections().some((c) => c.id === connectionId)).toBe(true);
  sim.clearFaults();

  await row.locator('[data-action="disconnect"]').click();
  await expect(page.getByTestId('connections-empty')).toBeVisible();
  expect(sim.connections().some((c) => c.id === connectionId)).toBe(false);
  await page.reload();
  await expect(page.getByTestId('connections-empty')).toBeVisible();
});
