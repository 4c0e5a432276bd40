// Sessions that expire: before the click (the cached one is replaced), and during the flow (the
// embedded page reports invalid_session and is renewed once; a popup or redirect ends as an error).
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { button, consent, EMBED_FRAME, MODES, outcome, startFlow, step, walk } from './support/link';

interface SessionBody {
  url: string;
  expiresAt: string;
}

const isSessionResponse = (url: string) => new URL(url).pathname === '/api/oflink/session';

/** Collects the bodies of the demo's session responses. */
function recordSessions(page: Page): SessionBody[] {
  const bodies: SessionBody[] = [];
  page.on('response', async (r) => {
    if (isSessionResponse(r.url()) && r.ok()) bodies.push((await r.json()) as SessionBody);
  });
  return bodies;
}

const sessionId = (url: string | null) => /cs_[A-Za-z0-9]+/.exec(url ?? '')?.[0] ?? '';

for (const mode of MODES) {
  test(`${mode}: a session that expired before the click is replaced by a fresh one and the flow completes`, async ({
    page,
    sim,
  }) => {
    // the browser treats a session as stale 60 s before expiresAt: with a 61 s lifetime the
    // prefetched one goes stale about a second after it was fetched
    sim.configure({ sessionTtlSeconds: 61 });
    await page.goto('/');
    const prefetched = page.waitForResponse((r) => isSessionResponse(r.url()));
    await button(page, mode).hover();
    const first = (await (await prefetched).json()) as SessionBody;
    expect(sim.expireSession(sessionId(first.url))).toBe(1);
    await page.waitForFunction((expiresAt) => Date.now() > Date.parse(expiresAt) - 60_000, first.expiresAt);

    const flow = await startFlow(page, mode, sim.url);
    const shown = sessionId(
      mode === 'popup'
        ? flow.popup!.url()
        : mode === 'embed'
          ? await page.locator(EMBED_FRAME).getAttribute('src')
          : page.url(),
    );
    expect(shown).not.toBe('');
    expect(shown).not.toBe(sessionId(first.url));
    await walk(flow.link, 'creator');
    await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
    expect(sim.sessions().find((s) => s.id === shown)?.state).toBe('success');
  });
}

test.describe('embed: the session expires during the flow', () => {
  test('invalid_session → one renewal with a new session, and the flow completes', async ({ page, sim }) => {
    const sessions = recordSessions(page);
    await page.goto('/');
    const flow = await startFlow(page, 'embed', sim.url);
    const frame = page.locator(EMBED_FRAME);
    const firstId = sessionId(await frame.getAttribute('src'));
    expect(sim.expireSession(firstId)).toBe(1);
    await consent(flow.link); // the page answers 410 and posts invalid_session
    await expect(frame).not.toHaveAttribute('src', new RegExp(firstId));
    const secondId = sessionId(await frame.getAttribute('src'));
    expect(sessions.map((s) => sessionId(s.url))).toContain(secondId);
    await walk(flow.link, 'fan');
    await expect(outcome(page)).toHaveAttribute('data-confirmed', 'true');
    await expect(outcome(page)).toHaveAttribute('data-status', 'success');
    expect(sim.sessions().find((s) => s.id === secondId)?.state).toBe('success');
  });

  test('a second expiry in the same attempt ends as an error (invalid_session)', async ({ page, sim }) => {
    const sessions = recordSessions(page);
    await page.goto('/');
    const flow = await startFlow(page, 'embed', sim.url);
    const frame = page.locator(EMBED_FRAME);
    const firstId = sessionId(await frame.getAttribute('src'));
    sim.expireSession(firstId);
    await consent(flow.link);
    await expect(frame).not.toHaveAttribute('src', new RegExp(firstId));
    await step(flow.link, 'pre-login');
    const secondId = sessionId(await frame.getAttribute('src'));
    expect(sim.expireSession(secondId)).toBe(1);
    await consent(flow.link);
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'error');
    await expect(card.locator('code')).toHaveText('invalid_session');
    await expect(page.locator('[data-oflink-overlay]')).toHaveCount(0);
    expect(sessions.map((s) => sessionId(s.url)).slice(0, 2)).toEqual([firstId, secondId]);
    expect(
      sim
        .sessions()
        .filter((s) => s.id === firstId || s.id === secondId)
        .map((s) => s.state),
    ).toEqual(['expired', 'expired']);
  });
});

for (const mode of ['popup', 'redirect'] as const) {
  test(`${mode}: a session that expires during the flow ends as an error (session_expired)`, async ({
    page,
    sim,
  }) => {
    await page.goto('/');
    const flow = await startFlow(page, mode, sim.url);
    const id = sessionId(flow.mode === 'popup' ? flow.popup!.url() : page.url());
    expect(sim.expireSession(id)).toBe(1);
    await consent(flow.link);
    const card = outcome(page);
    await expect(card).toHaveAttribute('data-status', 'error');
    await expect(card.locator('code')).toHaveText('session_expired');
  });
}
