// The callback page (the redirectUrl) on its own: forged URLs are shown unconfirmed and refused by
// the server; the back button after a redirect flow repeats nothing.
import { expect, test } from './fixtures';
import { outcome, startFlow, walk } from './support/link';

test('a forged callback URL is shown unconfirmed and the server’s confirmation rejects it', async ({
  page,
}) => {
  await page.goto('/callback?status=success&connection_id=conn_fake');
  const card = outcome(page);
  await expect(card).toHaveAttribute('data-status', 'success');
  await expect(card).toHaveAttribute('aria-busy', 'false');
  await expect(card).toHaveAttribute('data-confirmed', 'false');
  await expect(card).toHaveAttribute('data-connection-id', 'conn_fake');
  await expect(card.locator('code').first()).toHaveText('connection_not_found');
  await expect(page.getByTestId('account-name')).toHaveCount(0);
  // the Link parameters are stripped from the address bar
  await expect(page).toHaveURL(/\/callback$/);
  await page.goto('/connections');
  await expect(page.getByTestId('connections-empty')).toBeVisible();
});

test('a callback URL naming another user’s real connection is refused as not owned', async ({
  page,
  sim,
}) => {
  const theirs = sim.addConnection({ clientReferenceId: 'user_someone_else_0000' });
  await page.goto(`/callback?status=success&connection_id=${theirs.id}`);
  const card = outcome(page);
  await expect(card).toHaveAttribute('aria-busy', 'false');
  await expect(card).toHaveAttribute('data-status', 'success');
  await expect(card).toHaveAttribute('data-confirmed', 'false');
  await expect(card.locator('code').first()).toHaveText('connection_not_owned');
  await expect(page.getByTestId('account-name')).toHaveCount(0);
});

test('redirect: the back button after the flow repeats nothing and shows no false result', async ({
  page,
  sim,
}) => {
  await page.goto('/');
  const flow = await startFlow(page, 'redirect', sim.url);
  await walk(flow.link, 'creator');
  await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
  const id = (await outcome(page).getAttribute('data-connection-id')) ?? '';
  const connections = sim.connections().length;
  const sessions = sim.sessions().length;

  // back from the callback page lands on the hosted page's form POST: the browser refuses to
  // resubmit it silently (goBack rejects with net::ERR_CACHE_MISS), so nothing is sent again
  await page.goBack({ waitUntil: 'commit' }).catch(() => undefined);
  await expect(page).not.toHaveURL(/\/callback$/);
  expect(sim.connections().length).toBe(connections);
  // Chromium commits its "Confirm Form Resubmission" page in another renderer after goBack has
  // rejected; a goForward sent during that swap fails with "Not attached to an active page", so it
  // is sent again until the callback entry is back (never twice once it is there)
  await expect(async () => {
    if (!/\/callback$/.test(page.url())) await page.goForward({ waitUntil: 'commit' });
    await expect(page).toHaveURL(/\/callback$/, { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
  // the callback entry (its Link parameters were stripped) must not tell a person who just
  // connected that the sign-in result is invalid
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(outcome(page).or(page.getByTestId('outcome-idle'))).toBeVisible();
  await expect(page.locator('[data-testid="outcome"][data-status="error"]')).toHaveCount(0);

  // Continue → the Connect page, then back to the callback entry again
  await page.goto('/');
  await page.goBack({ waitUntil: 'commit' });
  await expect(page).toHaveURL(/\/callback$/);
  await expect(outcome(page).or(page.getByTestId('outcome-idle'))).toBeVisible();
  await expect(page.locator('[data-testid="outcome"][data-status="error"]')).toHaveCount(0);

  expect(sim.connections().length).toBe(connections);
  expect(sim.sessions().length).toBe(sessions);
  const created = sim
    .webhookDeliveries()
    .filter((d) => d.eventType === 'connection.created' && d.body.includes(id));
  expect(new Set(created.map((d) => d.id)).size).toBe(1);
});
