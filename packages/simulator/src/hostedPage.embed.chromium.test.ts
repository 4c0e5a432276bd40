// Real Chromium drives the hosted Link page in an iframe of a page from an allowed origin on another
// local port (and refused from another origin): its messages to the embedding page.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import {
  appOrigin,
  context,
  type LinkMessage,
  login,
  newSession,
  otherOrigin,
  sim,
  step,
  walk,
  withHostedPages,
} from './hostedPageTestKit';

withHostedPages();

describe('embedded iframe', { timeout: 30_000 }, () => {
  const embedSrc = (url: string, origin: string, theme = 'light') =>
    `${url}?embed=true&embed_origin=${encodeURIComponent(origin)}&theme=${theme}`;

  async function embed(url: string, host = appOrigin, embedOrigin = host, theme = 'light') {
    const p = await context.newPage();
    await p.goto(`${host}/embed?src=${encodeURIComponent(embedSrc(url, embedOrigin, theme))}`);
    return { p, frame: p.frameLocator('#link') };
  }
  const messages = (p: Page) =>
    p.evaluate(() => (window as unknown as { __messages: LinkMessage[] }).__messages);
  const waitFor = async (p: Page, event: string): Promise<LinkMessage> => {
    await p.waitForFunction(
      (e) => (window as unknown as { __messages: LinkMessage[] }).__messages.some((m) => m.event === e),
      event,
    );
    const found = (await messages(p)).find((m) => m.event === event);
    if (!found) throw new Error(`no ${event}`);
    return found;
  };

  it('posts loaded, sandbox_info and a v4 success with the connection, the user copy and successUrl', async () => {
    const url = await newSession({ clientAppId: 'app_strict' });
    expect((await fetch(embedSrc(url, appOrigin))).headers.get('content-security-policy')).toBe(
      `frame-ancestors 'self' ${appOrigin}`,
    );
    const { p, frame } = await embed(url);
    await waitFor(p, 'loaded');
    const info = await waitFor(p, 'sandbox_info');
    expect(info.metadata).toMatchObject({
      activeScenarioId: 'creator',
      currentScreen: 'pre-login',
      scenarios: expect.arrayContaining([
        {
          id: 'creator-otp',
          accountType: 'creator',
          loginType: 'app_otp',
          password: 'good-password',
          otpCode: '123456',
        },
      ]),
    });
    await walk(frame, 'creator-otp');
    const success = await waitFor(p, 'success');
    await step(frame, 'done');
    const conn = sim.connections()[0];
    expect(success).toEqual({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: {
        successUrl: `${appOrigin}/cb?status=success&connection_id=${conn?.id}&client_reference_id=ref_1`,
        redirect: false,
        connection: { id: conn?.id, userData: conn?.userData },
        user: conn?.userData,
      },
    });
    expect(p.url()).toContain('/embed');
  });

  it.each(['creator', 'fan', 'fan-otp'])(
    'scenario %s posts success with the new connection',
    async (scenario) => {
      const { p, frame } = await embed(await newSession());
      await walk(frame, scenario);
      const success = await waitFor(p, 'success');
      expect(success.metadata?.connection).toEqual({
        id: sim.connections()[0]?.id,
        userData: sim.connections()[0]?.userData,
      });
    },
  );

  it('sets redirect: true in success when the session was created with the deprecated mode "redirect"', async () => {
    const { p, frame } = await embed(await newSession({ mode: 'redirect' }));
    await walk(frame, 'fan');
    expect((await waitFor(p, 'success')).metadata?.redirect).toBe(true);
  });

  it.each(['pre-login', 'login', '2fa'])(
    'Cancel on %s posts exit {type: user_exit, step, error: null}',
    async (at) => {
      const { p, frame } = await embed(await newSession());
      if (at !== 'pre-login') await frame.locator('[data-action="continue"]').click();
      if (at === '2fa') await login(frame, 'ana@fan-otp.sandbox.com');
      await step(frame, at);
      await frame.locator('[data-action="cancel"]').click();
      expect((await waitFor(p, 'exit')).metadata).toEqual({ type: 'user_exit', step: at, error: null });
    },
  );

  it.each([
    ['locked', 'account_locked', 'login'],
    ['otp-rejected', '2fa_failed', '2fa'],
  ])(
    'scenario %s posts exit {type: error} with %s and shows the error step',
    async (scenario, errorType, at) => {
      const { p, frame } = await embed(await newSession());
      await walk(frame, scenario);
      await step(frame, 'error');
      expect((await waitFor(p, 'exit')).metadata).toMatchObject({
        type: 'error',
        step: at,
        error: { error_type: errorType, error_message: expect.any(String) },
      });
    },
  );

  it('posts invalid_session for an expired session', async () => {
    const url = await newSession();
    sim.expireSession(url);
    const { p, frame } = await embed(url);
    await waitFor(p, 'invalid_session');
    await step(frame, 'error');
    expect(p.url()).toContain('/embed');
  });

  it.each([
    ['an unknown session', (base: string) => `${base}/cs_doesnotexist`],
    ['a garbled session URL', (base: string) => `${base}/s/not-a-session!`],
  ])(
    'posts invalid_session for %s in a frame of a registered origin (never a blocked frame)',
    async (_, make) => {
      const url = make(sim.url);
      expect((await fetch(embedSrc(url, appOrigin))).headers.get('content-security-policy')).toBe(
        `frame-ancestors 'self' ${appOrigin}`,
      );
      const { p, frame } = await embed(url);
      await waitFor(p, 'invalid_session');
      await step(frame, 'error');
    },
  );

  it('posts invalid_session for a spent session', async () => {
    const url = await newSession();
    const first = await embed(url);
    await walk(first.frame, 'creator');
    await waitFor(first.p, 'success');
    const again = await embed(url);
    await waitFor(again.p, 'invalid_session');
  });

  it('posts loaded once per page load, not again on each step, and reports the code screen as "otp"', async () => {
    const { p, frame } = await embed(await newSession());
    await walk(frame, 'creator-otp');
    await waitFor(p, 'success');
    const events = (await messages(p)).map((m) => m.event);
    expect(events.filter((e) => e === 'loaded')).toHaveLength(1);
    const screens = (await messages(p))
      .filter((m) => m.event === 'sandbox_info')
      .map((m) => m.metadata?.currentScreen);
    expect(screens).toEqual(['pre-login', 'login', 'otp']);
  });

  it.each([
    [false, 'user_exit'],
    [true, 'forced_exit'],
  ])(
    'answers exit_requested (force=%s) from its parent with exit %s, and the session is spent',
    async (force, type) => {
      const url = await newSession();
      const { p, frame } = await embed(url);
      await frame.locator('[data-action="continue"]').click();
      await step(frame, 'login');
      await p.evaluate((f) => (window as unknown as { __request: (f: boolean) => void }).__request(f), force);
      expect((await waitFor(p, 'exit')).metadata).toEqual({ type, step: 'login', error: null });
      await expect.poll(() => sim.sessions()[0]?.state).toBe('cancelled');
    },
  );

  it('ignores exit_requested from a frame of another origin', async () => {
    const { p, frame } = await embed(await newSession());
    await waitFor(p, 'loaded');
    await p.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      document.body.appendChild(f);
      return new Promise((r) => {
        f.onload = r;
      });
    }, `${otherOrigin}/poster`);
    await p.waitForTimeout(300);
    expect((await messages(p)).map((m) => m.event)).not.toContain('exit');
    await frame.locator('[data-action="continue"]').click();
    await step(frame, 'login');
  });

  it('posts the pre-v4 flat shape with messageShape legacy (success flat, close on exit)', async () => {
    sim.configure({ messageShape: 'legacy' });
    const first = await embed(await newSession());
    await walk(first.frame, 'creator');
    const success = await waitFor(first.p, 'success');
    expect(success).toMatchObject({
      type: 'OFAUTH_LINK',
      event: 'success',
      redirect: false,
      connection: { id: sim.connections()[0]?.id },
      user: expect.any(Object),
    });
    expect(success.metadata).toBeUndefined();
    const second = await embed(await newSession());
    await second.frame.locator('[data-action="cancel"]').click();
    expect(await waitFor(second.p, 'close')).toEqual({
      type: 'OFAUTH_LINK',
      event: 'close',
      step: 'pre-login',
      error: null,
    });
  });

  it('sends no sandbox_info for a key that is not sk_sandbox_', async () => {
    const { p } = await embed(await newSession({}, 'sk_live_simulator'));
    await waitFor(p, 'loaded');
    await p.waitForTimeout(200);
    expect((await messages(p)).map((m) => m.event)).toEqual(['loaded']);
  });

  it('renders the dark theme in the frame', async () => {
    const { frame } = await embed(await newSession(), appOrigin, appOrigin, 'dark');
    await step(frame, 'pre-login');
    expect(await frame.locator('html').getAttribute('data-theme')).toBe('dark');
  });

  it.each([
    ['its own origin as embed_origin', 'own'],
    ['an allowed embed_origin it does not have', 'allowed'],
  ])('is refused in a frame from an origin the app does not allow (%s)', async (_name, pick) => {
    const url = await newSession({ clientAppId: 'app_strict' });
    const embedOrigin = pick === 'own' ? otherOrigin : appOrigin;
    expect((await fetch(embedSrc(url, otherOrigin))).headers.get('content-security-policy')).toBe(
      "frame-ancestors 'none'",
    );
    const { p } = await embed(url, otherOrigin, embedOrigin);
    await p.waitForFunction(() => (window as unknown as { __frameLoaded?: boolean }).__frameLoaded === true);
    await p.waitForTimeout(300);
    expect(await messages(p)).toEqual([]);
    const child = p.frames().find((f) => f !== p.mainFrame());
    expect(await child?.locator('[data-step]').count()).toBe(0);
    expect(sim.sessions()[0]?.state).toBe('pre-login');
  });
});
