// Attacks on a popup attempt's relay and on the app's pages: relays with a wrong nonce and replays of
// an old relay, another site opening the callback URL, framing the app, and a redirect in a tab that
// another site opened. None ends or changes the person's attempt.
import { expect, test } from './fixtures';
import {
  completes,
  currentAttempt,
  injectFrame,
  markerHeard,
  recordMarkers,
  stillRunning,
} from './support/attacks';
import { button, outcome, startFlow, step, walk } from './support/link';

test.describe('popup relay', () => {
  test('a relay with the wrong nonce, by postMessage and BroadcastChannel, is ignored', async ({
    page,
    sim,
    baseURL,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, 'popup', sim.url);
    await recordMarkers(page);
    const { id } = await currentAttempt(page);
    // a same-origin page (another tab of the app) sends relays for this attempt with guessed nonces
    const other = await page.context().newPage();
    await other.goto(`${baseURL}/favicon.svg`);
    await other.evaluate(
      ({ id }) => {
        const bc = new BroadcastChannel(`oflink:${location.origin}`);
        for (const nonce of ['', 'guess', id, 'null', '0'])
          bc.postMessage({
            type: 'OFLINK_RELAY',
            id,
            nonce,
            outcome: { status: 'success', connectionId: 'conn_evil' },
          });
        bc.postMessage({ type: 'E2E_MARKER', id: 'bc' });
        bc.close();
      },
      { id },
    );
    await markerHeard(page, 'bc');
    const frame = await injectFrame(page, `${baseURL}/favicon.svg`);
    await frame.evaluate(
      ({ id }) => {
        window.parent.postMessage(
          { type: 'OFLINK_RELAY', id, nonce: 'guess', outcome: { status: 'cancelled', step: 'login' } },
          location.origin,
        );
        window.parent.postMessage({ type: 'E2E_MARKER', id: 'pm' }, location.origin);
      },
      { id },
    );
    await markerHeard(page, 'pm');
    await stillRunning(page, flow);
    await completes(page, flow, sim);
    await other.close();
  });

  test('a replay of an earlier attempt’s relay is ignored', async ({ page, sim, baseURL }) => {
    // a same-origin listener records the relay of a first, successful attempt
    const spy = await page.context().newPage();
    await spy.goto(`${baseURL}/favicon.svg`);
    await spy.evaluate(() => {
      const w = window as unknown as { __relays: unknown[] };
      w.__relays = [];
      new BroadcastChannel(`oflink:${location.origin}`).onmessage = (e) => {
        if ((e.data as { type?: string }).type === 'OFLINK_RELAY') w.__relays.push(e.data);
      };
    });
    await page.goto('/');
    const first = await startFlow(page, 'popup', sim.url);
    const firstId = await completes(page, first, sim);
    const relays = await spy.evaluate(() => (window as unknown as { __relays: unknown[] }).__relays);
    expect(relays).toHaveLength(1);

    const second = await startFlow(page, 'popup', sim.url);
    await recordMarkers(page);
    await spy.evaluate((old) => {
      const bc = new BroadcastChannel(`oflink:${location.origin}`);
      bc.postMessage(old);
      bc.postMessage({ type: 'E2E_MARKER', id: 'replay-bc' });
      bc.close();
    }, relays[0]);
    await markerHeard(page, 'replay-bc');
    const frame = await injectFrame(page, `${baseURL}/favicon.svg`);
    await frame.evaluate((old) => {
      window.parent.postMessage(old, location.origin);
      window.parent.postMessage({ type: 'E2E_MARKER', id: 'replay-pm' }, location.origin);
    }, relays[0]);
    await markerHeard(page, 'replay-pm');
    await expect(button(page, 'popup')).toHaveAttribute('data-state', 'open');
    await step(second.link, 'pre-login');
    expect(second.popup!.isClosed()).toBe(false);
    const secondId = await completes(page, second, sim, firstId);
    expect(secondId).not.toBe(firstId);
    await spy.close();
  });
});

// Another site opens the app's callback URL while the person is in a popup attempt: the callback
// page belongs to no attempt of its own window, so it must neither end nor close anything.
for (const query of ['status=cancelled&step=login', 'status=success&connection_id=conn_evil_1']) {
  for (const noopener of [false, true]) {
    test(`popup: an outside site opening /callback?${query}${noopener ? ' (noopener)' : ''} ends nothing`, async ({
      page,
      sim,
      attacker,
    }) => {
      await page.goto('/');
      const flow = await startFlow(page, 'popup', sim.url);
      const evil = await page.context().newPage();
      await evil.goto(`${attacker.url}/landing`);
      const opened = page.context().waitForEvent('page');
      await evil.evaluate(([url, features]) => void window.open(url, '_blank', features), [
        `${new URL(page.url()).origin}/callback?${query}`,
        noopener ? 'noopener' : '',
      ] as const);
      const forged = await opened;
      await forged.waitForLoadState('load');
      await forged.waitForTimeout(500); // time for a relay, had there been one
      expect(forged.isClosed()).toBe(false);
      await stillRunning(page, flow);
      await completes(page, flow, sim);
    });
  }
}

test('another site cannot frame the app (frame-ancestors): its Connect button is no clickjacking target', async ({
  page,
  attacker,
  demo,
}) => {
  const blocked: string[] = [];
  page.on('console', (m) => m.type() === 'error' && blocked.push(m.text()));
  const appUrl = `${demo.url}/`;
  await page.goto(`${attacker.url}/landing`);
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
  }, appUrl);
  await expect.poll(() => blocked.join('\n')).toMatch(/frame-ancestors|refused to frame|Refused to display/i);
  expect(
    await page
      .frames()[1]
      ?.locator('button')
      .count()
      .catch(() => 0),
  ).toBe(0);
});

test('redirect in a tab another site opened (window.opener set): the callback page treats it as a redirect, not a popup', async ({
  page,
  sim,
  attacker,
  demo,
}) => {
  await page.goto(`${attacker.url}/landing`);
  const opened = page.context().waitForEvent('page');
  await page.evaluate((url) => void window.open(url), `${demo.url}/`);
  const tab = await opened;
  await tab.waitForLoadState('load');
  expect(await tab.evaluate(() => window.opener !== null)).toBe(true);
  const flow = await startFlow(tab, 'redirect', sim.url);
  await walk(flow.link, 'creator');
  await expect(outcome(tab)).toHaveAttribute('data-confirmed', 'true');
  expect(tab.isClosed()).toBe(false);
  // the redirect record was used (not left behind as if this were a popup)
  expect(await tab.evaluate(() => sessionStorage.getItem('oflink:redirect'))).toBeNull();
});
