// Attacks on the app page while a real Link flow runs: forged OFAUTH_LINK messages from foreign and
// look-alike origins, the right origin from the wrong window, malformed and oversized payloads. Every
// one is ignored, and the real flow then completes with its own connection.
import { expect, test } from './fixtures';
import {
  completes,
  currentAttempt,
  injectFrame,
  markerHeard,
  type Payloads,
  postAttack,
  recordMarkers,
  stillRunning,
} from './support/attacks';
import { EMBED_FRAME, outcome, startFlow } from './support/link';

const LOOK_ALIKE_HOSTS = [
  'localhost',
  '127.0.0.1.evil.test',
  'ofauth.com.evil.test',
  'link.ofauth.com.evil.test',
];

for (const mode of ['embed', 'popup'] as const) {
  test(`${mode}: forged messages from foreign and look-alike origin frames are ignored`, async ({
    page,
    sim,
    attacker,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, mode, sim.url);
    await recordMarkers(page);
    const relay = mode === 'popup' ? await currentAttempt(page) : null;
    for (const host of LOOK_ALIKE_HOSTS) {
      const origin = attacker.urlFor(host);
      const frame = await injectFrame(page, `${origin}/widget`);
      for (const kind of ['forged', 'malformed'] as Payloads[]) {
        const marker = `${host}:${kind}`;
        // with the attempt's real id and nonce: only the origin check stands in the way
        await postAttack(frame, 'parent', kind, { marker, relay, phishUrl: `${origin}/phish` });
        await markerHeard(page, marker);
      }
    }
    await stillRunning(page, flow);
    await completes(page, flow, sim);
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test(`${mode}: forged messages from a foreign window that opened the app are ignored`, async ({
    page,
    sim,
    attacker,
    baseURL,
  }) => {
    // the attacker's page opened the app in a new window and keeps a handle on it
    await page.goto(`${attacker.url}/landing`);
    const opened = page.waitForEvent('popup');
    await page.evaluate((url) => {
      (window as unknown as { victim: Window | null }).victim = window.open(url, '_blank');
    }, `${baseURL}/`);
    const app = await opened;
    await app.waitForLoadState();
    const flow = await startFlow(app, mode, sim.url);
    await recordMarkers(app);
    const relay = mode === 'popup' ? await currentAttempt(app) : null;
    for (const kind of ['forged', 'malformed', 'oversized'] as Payloads[]) {
      await postAttack(page, 'victim', kind, { marker: kind, relay, phishUrl: `${attacker.url}/phish` });
      await markerHeard(app, kind);
    }
    await stillRunning(app, flow);
    await completes(app, flow, sim);
  });
}

test('embed: malformed and oversized payloads from the Link frame itself are ignored', async ({
  page,
  sim,
}) => {
  await page.goto('/');
  const flow = await startFlow(page, 'embed', sim.url);
  await recordMarkers(page);
  const link = page.frames().find((f) => f.url().startsWith(sim.url));
  expect(link, 'the Link iframe').toBeDefined();
  for (const kind of ['malformed', 'oversized'] as Payloads[]) {
    await postAttack(link!, 'parent', kind, { marker: kind });
    await markerHeard(page, kind);
  }
  await stillRunning(page, flow);
  await completes(page, flow, sim);
});

test('embed: a success without a usable connection id from the Link frame itself ends the attempt as an error, never a success', async ({
  page,
  sim,
}) => {
  await page.goto('/');
  const flow = await startFlow(page, 'embed', sim.url);
  const link = page.frames().find((f) => f.url().startsWith(sim.url));
  expect(link, 'the Link iframe').toBeDefined();
  await postAttack(link!, 'parent', 'ending', { marker: 'ending' });
  const card = outcome(page);
  await expect(card).toHaveAttribute('data-status', 'error');
  await expect(card).toHaveAttribute('data-error-code', 'invalid_connection_id');
  await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);
  expect(flow.mode).toBe('embed');
});

test('embed: an exit of a type this version does not know closes the modal as a cancellation', async ({
  page,
  sim,
}) => {
  await page.goto('/');
  await startFlow(page, 'embed', sim.url);
  const link = page.frames().find((f) => f.url().startsWith(sim.url));
  expect(link, 'the Link iframe').toBeDefined();
  await link!.evaluate(() =>
    window.parent.postMessage(
      { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'approval', step: 'pre-login' } },
      '*',
    ),
  );
  const card = outcome(page);
  await expect(card).toHaveAttribute('data-status', 'cancelled');
  await expect(card).toHaveAttribute('data-step', 'pre-login');
  await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);
});

test('embed: a real Link page of the right origin in another frame (wrong source) is ignored', async ({
  page,
  sim,
  baseURL,
}) => {
  await page.goto('/');
  const flow = await startFlow(page, 'embed', sim.url);
  await recordMarkers(page);
  // a second, genuine hosted session in another frame of the app page: right origin, wrong window
  const init = await fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ redirectUrl: `${baseURL}/callback`, clientReferenceId: 'someone_else' }),
  });
  const { url } = (await init.json()) as { url: string };
  const decoyUrl = `${url}?embed=true&embed_origin=${encodeURIComponent(new URL(baseURL!).origin)}`;
  const decoy = await injectFrame(page, decoyUrl);
  const click = (selector: string) =>
    decoy.evaluate((s) => (document.querySelector(s) as HTMLElement).click(), selector);
  await decoy.locator('[data-step="pre-login"]').waitFor({ state: 'attached' });
  await click('[data-action="continue"]');
  await decoy.locator('[data-step="login"]').waitFor({ state: 'attached' });
  await decoy.evaluate(() => {
    (document.querySelector('[name="email"]') as HTMLInputElement).value = 'decoy@creator.sandbox.com';
    (document.querySelector('[name="password"]') as HTMLInputElement).value = 'good-password';
  });
  await click('[data-action="submit"]');
  await decoy.locator('[data-outcome="success"]').waitFor({ state: 'attached' });
  const decoyConnection = sim.connections().find((c) => c.clientReferenceId === 'someone_else');
  expect(decoyConnection).toBeDefined();
  // the decoy posted its success to this page; a marker from that frame proves it was delivered
  await decoy.evaluate(() => window.parent.postMessage({ type: 'E2E_MARKER', id: 'decoy' }, '*'));
  await markerHeard(page, 'decoy');
  await stillRunning(page, flow);
  const id = await completes(page, flow, sim);
  expect(id).not.toBe(decoyConnection!.id);
  await expect(page.locator(EMBED_FRAME)).toHaveCount(0);
});
