import { expect, type Frame, type Page } from '@playwright/test';
import { button, type Flow, outcome, step, walk } from './link';
import { ending, forged, malformed, oversized, type Relay } from './payloads';

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

/**
 * The attempt the app is running (what a relay must echo): the record its tab wrote for the popup's
 * copy of sessionStorage, kept by the test context's init script (the tab itself keeps none).
 */
export async function currentAttempt(page: Page): Promise<{ id: string; nonce: string }> {
  return page.evaluate(() => {
    const raw = (window as unknown as { __oflinkAttempt?: string }).__oflinkAttempt;
    if (!raw) throw new Error('no popup attempt was written');
    const { id, nonce } = JSON.parse(raw) as { id: string; nonce: string };
    return { id, nonce };
  });
}

const PAYLOADS = { forged, malformed, ending, oversized };

/**
 * Runs in the attacker's frame or window: posts every payload of `kind` to `target`
 * (`parent`, `opener` or a window it opened), with target origin `*`, then a marker. The attacker's
 * page builds the recipes of payloads.ts; the number of messages posted before the marker.
 */
export async function postAttack(
  from: Frame | Page,
  target: 'parent' | 'opener' | 'victim',
  kind: Payloads,
  options: { marker: string; phishUrl?: string; relay?: Relay },
): Promise<number> {
  const list = PAYLOADS[kind](options.relay ?? null, options.phishUrl ?? '');
  return from.evaluate(
    ({ target, list, marker }) => {
      const build = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(build);
        if (v === null || typeof v !== 'object') return v;
        const r = v as Record<string, unknown> & { $?: string };
        if (r.$ === 'big') return 'x'.repeat(r.size as number);
        if (r.$ === 'bytes') return new Uint8Array(r.size as number);
        if (r.$ === 'fill') return new Array(r.length as number).fill({});
        if (r.$ === 'json') return JSON.parse(r.text as string);
        if (r.$ === 'undefined') return undefined;
        if (r.$ === 'nested') {
          let nested: Record<string, unknown> = { type: 'OFAUTH_LINK', event: r.event };
          for (let i = 0; i < (r.depth as number); i++)
            nested = { type: 'OFAUTH_LINK', event: r.event, metadata: nested };
          return nested;
        }
        return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, build(x)]));
      };
      const w = window as unknown as { victim?: Window };
      const to = target === 'parent' ? window.parent : target === 'opener' ? window.opener : w.victim;
      if (!to) throw new Error(`no ${target} window to post to`);
      for (const m of list) to.postMessage(build(m), '*');
      to.postMessage({ type: 'E2E_MARKER', id: marker }, '*');
      return list.length;
    },
    { target, list, marker: options.marker },
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
