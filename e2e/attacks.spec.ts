// Attacks on the app page while a real Link flow runs: forged OFAUTH_LINK messages from foreign and
// look-alike origins, the right origin from the wrong window, malformed and oversized payloads,
// relays with a wrong nonce and replays of an old relay. Every one is ignored, and the real flow
// then completes with its own connection.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  currentAttempt,
  injectFrame,
  markerHeard,
  type Payloads,
  postAttack,
  recordMarkers,
} from './support/attacks';
import { button, EMBED_FRAME, type Flow, outcome, startFlow, step, walk } from './support/link';

/** The attempt is still running and untouched: no outcome, the hosted page still on its step. */
async function stillRunning(page: Page, flow: Flow, at = 'pre-login'): Promise<void> {
  await expect(button(page, flow.mode)).toHaveAttribute('data-state', 'open');
  await expect(outcome(page)).toHaveCount(0);
  await step(flow.link, at);
  if (flow.mode === 'embed') await expect(page.locator('[data-oflink-overlay]')).toHaveCount(1);
  if (flow.popup) expect(flow.popup.isClosed()).toBe(false);
}

/** Completes the real flow and returns the connection the server confirmed (never a forged one). */
async function completes(
  page: Page,
  flow: Flow,
  sim: { connections(): { id: string }[] },
  previous?: string,
): Promise<string> {
  await walk(flow.link, 'creator');
  const card = outcome(page);
  if (previous) await expect(card).not.toHaveAttribute('data-connection-id', previous);
  await expect(card).toHaveAttribute('data-confirmed', 'true');
  const id = (await card.getAttribute('data-connection-id')) ?? '';
  expect(id).not.toContain('evil');
  expect(sim.connections().map((c) => c.id)).toContain(id);
  return id;
}

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
