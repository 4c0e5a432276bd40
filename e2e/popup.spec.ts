// The popup's own exits: blocked by the browser, closed by the person, and severed by
// Cross-Origin-Opener-Policy on the hosted page (the outcome then travels over BroadcastChannel).
import { expect, test } from './fixtures';
import { button, consent, email, type Flow, login, outcome, startFlow, step, walk } from './support/link';

const logIn = (flow: Flow) => login(flow.link, email('creator'));

/** Makes `window.open` return null, as a popup blocker does, in every page of the context. */
const blockPopups = () => {
  window.open = () => null;
};

test.describe('a prefetched session', () => {
  for (const coop of [false, true]) {
    test(`${coop ? 'under COOP: ' : ''}opens the popup directly at the hosted URL, and the outcome still comes back through the callback page`, {
      tag: coop ? [] : ['@react18'],
    }, async ({ page, sim }) => {
      // with COOP the hosted page severs the popup from the app: the relay goes over BroadcastChannel
      if (coop) sim.configure({ coop: true });
      // what window.open is asked to load, recorded in the page (the call stays in the click task);
      // and the session's body, kept one task after the app read it (its cache is filled by then)
      await page.addInitScript(() => {
        const w = window as unknown as { __opened: string[]; __session: unknown };
        w.__opened = [];
        w.__session = null;
        const open = window.open.bind(window);
        window.open = (...args: Parameters<typeof window.open>) => {
          w.__opened.push(String(args[0]));
          return open(...args);
        };
        const fetch = window.fetch.bind(window);
        window.fetch = async (...args: Parameters<typeof window.fetch>) => {
          const response = await fetch(...args);
          if (String(args[0]).endsWith('/api/oflink/session')) {
            const json = response.json.bind(response);
            response.json = async () => {
              const body: unknown = await json();
              setTimeout(() => {
                w.__session = body;
              }, 0);
              return body;
            };
          }
          return response;
        };
      });
      await page.goto('/');
      await button(page, 'popup').hover();
      // the simulator is shared by the worker's tests: this test's sessions are its user's
      const read = await page.waitForFunction(() => (window as unknown as { __session: unknown }).__session);
      const { url } = (await read.jsonValue()) as { url: string };
      const session = sim.sessions().find((s) => s.url === url)!;
      const mine = () => sim.sessions().filter((s) => s.clientReferenceId === session.clientReferenceId);
      expect(mine()).toHaveLength(1);

      const flow = await startFlow(page, 'popup', sim.url);
      expect(await page.evaluate(() => (window as unknown as { __opened: string[] }).__opened)).toEqual([
        session.url,
      ]);
      expect(flow.popup!.url()).toContain(new URL(session.url).pathname);
      await walk(flow.link, 'creator');
      await expect(outcome(page)).toHaveAttribute('data-status', 'success');
      await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
      await expect.poll(() => flow.popup!.isClosed()).toBe(true);
      // that session connected; any later one is a prefetch for a next click, still unopened
      expect(
        mine()
          .filter((s) => s.state !== 'pre-login')
          .map((s) => [s.id, s.state]),
      ).toEqual([[session.id, 'success']]);
    });
  }
});

test.describe('popup blocked', () => {
  test('auto falls back to a redirect and completes', async ({ page, sim }) => {
    await page.addInitScript(blockPopups);
    let popups = 0;
    page.on('popup', () => popups++);
    await page.goto('/');
    const flow = await startFlow(page, 'redirect', sim.url, button(page, 'auto'));
    await walk(flow.link, 'creator');
    await expect(page).toHaveURL(/\/callback/);
    await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
    await expect(outcome(page)).toHaveAttribute('data-status', 'success');
    expect(popups).toBe(0);
  });

  test('explicit popup mode reports popup_blocked', async ({ page }) => {
    await page.addInitScript(blockPopups);
    await page.goto('/');
    await button(page, 'popup').click();
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'error');
    await expect(card.locator('code')).toHaveText('popup_blocked');
    await expect(page).toHaveURL(/\/$/);
    await expect(button(page, 'popup')).toBeEnabled();
  });
});

test.describe('the person closes the popup', () => {
  test('on the login step: cancelled with reason closed', { tag: ['@react18'] }, async ({ page, sim }) => {
    await page.goto('/');
    const flow = await startFlow(page, 'popup', sim.url);
    await consent(flow.link);
    await step(flow.link, 'login');
    await flow.popup!.close();
    // a closed popup hands focus back to the app; headless Chromium sends no focus event, so the
    // person's click on the app page stands for it (a handle that merely reads closed is not enough:
    // COOP on a hosted page severs it while the flow goes on)
    await page.locator('h1').first().click();
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'cancelled');
    await expect(card).toHaveAttribute('data-reason', 'closed');
    await expect(card).toContainText('The window was closed');
    await expect(button(page, 'popup')).toBeEnabled();
  });

  test('under COOP: cancelled/closed once the person is back on the app', async ({ page, sim }) => {
    sim.configure({ coop: true });
    await page.goto('/');
    const flow = await startFlow(page, 'popup', sim.url);
    await consent(flow.link);
    await step(flow.link, 'login');
    await flow.popup!.close();
    // a closed popup hands focus back to the app; headless Chromium sends no focus event, so the
    // person's click on the app page is what tells a severed handle from a real close
    await page.locator('h1').first().click();
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'cancelled');
    await expect(card).toContainText('The window was closed');
  });
});

test.describe('Cross-Origin-Opener-Policy on the hosted page', () => {
  for (const scenario of ['creator-otp', 'fan-otp'] as const) {
    test(`popup (${scenario}): completes through the BroadcastChannel relay, never reported as closed`, async ({
      page,
      sim,
    }) => {
      sim.configure({ coop: true });
      const shown: (string | null)[] = [];
      await page.exposeFunction('__e2eOutcome', (status: string | null) => shown.push(status));
      await page.addInitScript(() => {
        // record every outcome card the demo shows, to prove no "closed" was ever shown on the way
        new MutationObserver(() => {
          const card = document.querySelector('[data-testid="outcome"]');
          const status = card
            ? `${card.getAttribute('data-status')}:${card.textContent?.includes('closed')}`
            : null;
          if (status !== (window as unknown as { __last?: string | null }).__last) {
            (window as unknown as { __last?: string | null }).__last = status;
            (window as unknown as { __e2eOutcome: (s: string | null) => void }).__e2eOutcome(status);
          }
        }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await page.goto('/');
      const flow = await startFlow(page, 'popup', sim.url);
      // COOP severed the popup from the app: no opener, and the app's handle reads closed
      expect(await flow.popup!.evaluate(() => window.opener)).toBeNull();
      await walk(flow.link, scenario);
      const card = outcome(page);
      await expect(card).toHaveAttribute('data-confirmed', 'true');
      await expect(card).toHaveAttribute('data-status', 'success');
      await expect.poll(() => flow.popup!.isClosed()).toBe(true);
      expect(shown.filter((s) => s?.startsWith('cancelled'))).toEqual([]);
    });
  }

  test('popup: a handle severed after it was seen live (COOP from the next step on) is not reported as closed', async ({
    page,
    sim,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, 'popup', sim.url);
    // the person reads the consent page; the app's 300 ms poll sees the popup live on the hosted page
    await page.waitForTimeout(1000);
    // from the next step on the hosted pages send COOP: Chromium severs the handle, which now reads closed
    sim.configure({ coop: true });
    await consent(flow.link);
    await step(flow.link, 'login');
    expect(await flow.popup!.evaluate(() => window.opener)).toBeNull();
    // the person takes longer than the 3 s grace period to type their password
    await page.waitForTimeout(4500);
    await logIn(flow);
    const card = outcome(page);
    await expect(card).toHaveAttribute('aria-busy', 'false');
    await expect(card).toHaveAttribute('data-status', 'success');
    await expect(card).toHaveAttribute('data-confirmed', 'true');
  });
});
