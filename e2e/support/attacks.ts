import { expect, type Frame, type Page } from '@playwright/test';
import { button, type Flow, outcome, step, walk } from './link';

/** Marker messages tell the test that every message sent before them was delivered and handled. */
export const MARKER = 'E2E_MARKER';

/** What an attacker can send, built in the attacker's own page (large payloads never cross the wire). */
export type Payloads = 'forged' | 'malformed' | 'oversized' | 'ending';

/**
 * Starts recording marker messages in the app page: from `postMessage` and from the app's
 * BroadcastChannel (created after the app's own listeners, so it hears each message after them).
 */
export async function recordMarkers(page: Page): Promise<void> {
  await page.evaluate((marker) => {
    const w = window as unknown as { __markers: string[] };
    w.__markers = [];
    const take = (data: unknown) => {
      const m = data as { type?: unknown; id?: unknown } | null;
      if (m && m.type === marker && typeof m.id === 'string') w.__markers.push(m.id);
    };
    window.addEventListener('message', (e) => take(e.data));
    new BroadcastChannel(`oflink:${location.origin}`).onmessage = (e) => take(e.data);
  }, MARKER);
}

/** Waits until the app page heard the marker `id`. */
export async function markerHeard(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (markerId) => (window as unknown as { __markers?: string[] }).__markers?.includes(markerId) === true,
    id,
  );
}

/**
 * Adds an iframe from `origin` to the app page (as a third-party widget or an ad would be) and
 * returns its frame, where the test then runs the attacker's script.
 */
export async function injectFrame(page: Page, src: string): Promise<Frame> {
  const name = `e2e_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ src, name }) =>
      new Promise<void>((resolve) => {
        const f = document.createElement('iframe');
        f.name = name;
        f.title = 'third-party widget';
        f.style.cssText = 'position:fixed;bottom:0;left:0;width:4px;height:4px;border:0';
        f.onload = () => resolve();
        f.src = src;
        document.body.appendChild(f);
      }),
    { src, name },
  );
  const frame = page.frame({ name });
  if (!frame) throw new Error(`the injected frame ${name} is not in the page`);
  return frame;
}

/** The attempt the app is running, as web storage holds it (what a relay must echo). */
export async function currentAttempt(page: Page): Promise<{ id: string; nonce: string }> {
  return page.evaluate(() => {
    const raw = sessionStorage.getItem('oflink:popup');
    if (!raw) throw new Error('no popup attempt in sessionStorage');
    const { id, nonce } = JSON.parse(raw) as { id: string; nonce: string };
    return { id, nonce };
  });
}

/**
 * Runs in the attacker's frame or window: posts every payload of `kind` to `target`
 * (`parent`, `opener` or a window it opened), with target origin `*`, then a marker.
 */
export async function postAttack(
  from: Frame | Page,
  target: 'parent' | 'opener' | 'victim',
  kind: Payloads,
  options: { marker: string; phishUrl?: string; relay?: { id: string; nonce: string } | null },
): Promise<number> {
  return from.evaluate(
    ({ target, kind, marker, phishUrl, relay }) => {
      const w = window as unknown as { victim?: Window };
      const to = target === 'parent' ? window.parent : target === 'opener' ? window.opener : w.victim;
      if (!to) throw new Error(`no ${target} window to post to`);
      const user = { id: 'u_evil', name: 'Mallory', username: 'mallory', avatar: null };
      const success = (id: string, extra: Record<string, unknown> = {}) => ({
        type: 'OFAUTH_LINK',
        event: 'success',
        metadata: {
          successUrl: phishUrl,
          redirect: false,
          connection: { id, userData: user },
          user,
          ...extra,
        },
      });
      let list: unknown[] = [];
      if (kind === 'forged') {
        list = [
          success('conn_evil'),
          success('conn_evil_redirect', { redirect: true, successUrl: phishUrl }),
          { type: 'OFAUTH_LINK', event: 'success', connection: { id: 'conn_evil_flat' }, user }, // pre-v4 shape
          { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'user_exit', step: 'login' } },
          { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'error', error: { error_type: 'pwned' } } },
          { type: 'OFAUTH_LINK', event: 'invalid_session' },
          { type: 'OFAUTH_LINK', event: 'close' },
          { type: 'OFAUTH_LINK', event: 'loaded' },
          ...(relay
            ? [
                {
                  type: 'OFLINK_RELAY',
                  id: relay.id,
                  nonce: relay.nonce,
                  outcome: { status: 'success', connectionId: 'conn_evil_relay' },
                },
              ]
            : []),
        ];
      } else if (kind === 'malformed') {
        list = [
          null,
          undefined,
          42,
          'OFAUTH_LINK',
          '{"type":"OFAUTH_LINK","event":"success","metadata":{"connection":{"id":"conn_evil_string"}}}',
          [],
          [success('conn_evil_in_array')],
          {},
          { type: 'OFAUTH_LINK' },
          { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { scenarios: 'everything' } },
          { type: 'OFAUTH_LINK', event: 'SUCCESS', metadata: { connection: { id: 'conn_evil_case' } } },
          { type: 'ofauth_link', event: 'success', metadata: { connection: { id: 'conn_evil_case' } } },
          { type: 'OFLINK_RELAY' },
          {
            type: 'OFLINK_RELAY',
            id: relay?.id,
            nonce: 42,
            outcome: { status: 'success', connectionId: 'c' },
          },
          { type: 'OFLINK_RELAY', id: relay?.id, nonce: relay?.nonce, outcome: 'success' },
          { type: 'OFLINK_RELAY', id: relay?.id, nonce: relay?.nonce, outcome: { status: 'success' } },
          { type: 'OFLINK_RELAY', id: relay?.id, nonce: relay?.nonce, outcome: { status: 'pwned' } },
        ];
      } else if (kind === 'ending') {
        // from the Link frame itself these end the flow, as in OFAuth's own library: an exit of any
        // shape, and a success without a usable connection id (an error, never a success)
        const big = 'x'.repeat(4 * 1024 * 1024);
        let nested: Record<string, unknown> = { type: 'OFAUTH_LINK', event: 'success' };
        for (let i = 0; i < 300; i++) nested = { type: 'OFAUTH_LINK', event: 'success', metadata: nested };
        list = [
          { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: ['conn_evil'] } } },
          { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: 'conn.evil:1' } } },
          { type: 'OFAUTH_LINK', event: 'success', metadata: { junk: big } },
          nested,
          JSON.parse(
            '{"type":"OFAUTH_LINK","event":"success","__proto__":{"metadata":{"connection":{"id":"conn_evil_proto"}}}}',
          ),
          { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'teleport' } },
        ];
      } else {
        const big = 'x'.repeat(4 * 1024 * 1024);
        let nested: Record<string, unknown> = { type: 'OFAUTH_LINK', event: 'sandbox_info' };
        for (let i = 0; i < 300; i++)
          nested = { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: nested };
        list = [
          big,
          { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { junk: big, scenarios: [{ id: big }] } },
          { type: 'OFAUTH_LINK', event: big },
          {
            type: 'OFAUTH_LINK',
            event: 'sandbox_info',
            metadata: { scenarios: new Array(200_000).fill({}) },
          },
          nested,
          { type: 'OFLINK_RELAY', id: big, nonce: big, outcome: { status: 'success', connectionId: big } },
          new Uint8Array(8 * 1024 * 1024),
        ];
      }
      for (const m of list) to.postMessage(m, '*');
      to.postMessage({ type: 'E2E_MARKER', id: marker }, '*');
      return list.length;
    },
    { target, kind, marker: options.marker, phishUrl: options.phishUrl ?? '', relay: options.relay ?? null },
  );
}

/** The attempt is still running and untouched: no outcome, the hosted page still on its step. */
export async function stillRunning(page: Page, flow: Flow, at = 'pre-login'): Promise<void> {
  await expect(button(page, flow.mode)).toHaveAttribute('data-state', 'open');
  await expect(outcome(page)).toHaveCount(0);
  await step(flow.link, at);
  if (flow.mode === 'embed') await expect(page.locator('[data-oflink-overlay]')).toHaveCount(1);
  if (flow.popup) expect(flow.popup.isClosed()).toBe(false);
}

/** Completes the real flow and returns the connection the server confirmed (never a forged one). */
export async function completes(
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
