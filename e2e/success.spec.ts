// Each sandbox scenario that ends in a connection, in each mode: the outcome reaches the app, the
// server confirms it, the account is shown, and the simulator's signed webhook arrives and verifies.
import { expect, test } from './fixtures';
import { MODES, outcome, SUCCESS_SCENARIOS, startFlow, walk } from './support/link';
import { acceptedWebhook } from './support/webhooks';

for (const mode of MODES) {
  for (const scenario of SUCCESS_SCENARIOS) {
    test(`${mode}: the ${scenario} scenario connects, is confirmed by the server and its webhook arrives`, {
      tag: scenario === 'creator' || scenario === 'fan-otp' ? ['@react18'] : [],
    }, async ({ page, sim }) => {
      await page.goto('/');
      const flow = await startFlow(page, mode, sim.url);
      await walk(flow.link, scenario);

      const card = outcome(page);
      await expect(card).toHaveAttribute('data-confirmed', 'true');
      await expect(card).toHaveAttribute('data-status', 'success');
      const connectionId = (await card.getAttribute('data-connection-id')) ?? '';
      expect(connectionId).toMatch(/^conn_/);
      const connection = sim.connections().find((c) => c.id === connectionId);
      expect(connection, 'the simulator made this connection').toBeDefined();
      await expect(page.getByTestId('account-name')).toHaveText(
        connection!.userData.name ?? connection!.userData.username,
      );
      await expect(page.getByTestId('account-username')).toHaveText(`@${connection!.userData.username}`);
      if (flow.popup) await expect.poll(() => flow.popup!.isClosed()).toBe(true);
      await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);

      const { payload } = await acceptedWebhook(sim, connectionId);
      expect(payload.eventType).toBe('connection.created');
      expect(payload.data.clientReferenceId).toBe(connection!.clientReferenceId);

      await page.goto('/connections');
      await expect(page.locator(`[data-connection-id="${connectionId}"]`)).toBeVisible();
    });
  }
}
