// Test helpers shared by the controller's test files (not part of the package).
import { type Mock, vi } from 'vitest';
import { createLinkController } from './controller';
import { POPUP_KEY, RELAY_TYPE } from './records';
import type { LinkController, LinkControllerOptions, LinkEvent, LinkSession, SessionSource } from './types';

export const SESSION_ORIGIN = 'https://link.test';
export const fresh = (id = 'cs_1'): LinkSession => ({
  mode: 'hosted',
  url: `${SESSION_ORIGIN}/${id}`,
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});

/** An in-memory session source whose requests resolve when the test says so. */
export function manualSource() {
  let cached: LinkSession | undefined;
  const pending: { resolve: (s: LinkSession) => void; reject: (e: unknown) => void }[] = [];
  let requests = 0;
  const source: SessionSource = {
    peek: () => cached,
    get: () => {
      if (cached) return Promise.resolve(cached);
      requests++;
      return new Promise<LinkSession>((resolve, reject) => pending.push({ resolve, reject }));
    },
    discard: () => {
      cached = undefined;
    },
  };
  return {
    source,
    get requests() {
      return requests;
    },
    prime(s: LinkSession) {
      cached = s;
    },
    async resolve(s: LinkSession = fresh()) {
      cached = s;
      pending.shift()?.resolve(s);
      await flush();
    },
    async reject(e: unknown) {
      pending.shift()?.reject(e);
      await flush();
    },
  };
}

export const flush = () => new Promise<void>((r) => setTimeout(r, 0));

/** A stand-in for the popup window a controller opens. */
export interface FakePopup {
  closed: boolean;
  close: Mock<() => void>;
  location: { replace: Mock<(url: string) => void> };
  document: { title: string; body: { textContent: string } };
}

export function fakePopup(): FakePopup {
  const popup = {
    closed: false,
    close: vi.fn<() => void>(() => {
      popup.closed = true;
    }),
    location: { replace: vi.fn<(url: string) => void>() },
    document: { title: '', body: { textContent: '' } },
  };
  return popup;
}

/** `window.open` answers with what `popup()` gives at each call. */
export function stubWindowOpen(popup: () => unknown) {
  const open = vi.fn(popup);
  vi.spyOn(window, 'open').mockImplementation(open as unknown as typeof window.open);
  return open;
}

/** Controllers made by {@link setup} or given to {@link track}, disposed by {@link resetPage}. */
const live: LinkController[] = [];

/** Disposes `controller` after the test. */
export const track = (controller: LinkController) => live.push(controller);

/** A controller on a manual source whose events and callbacks are recorded in order. */
export function setup(options: LinkControllerOptions = {}) {
  const events: LinkEvent[] = [];
  const calls: string[] = [];
  const src = manualSource();
  const opts: LinkControllerOptions = {
    onEvent: (e) => {
      events.push(e);
      calls.push(`event:${e.type}`);
    },
    onSuccess: () => calls.push('onSuccess'),
    onExit: (o) => calls.push(`onExit:${o.status}`),
    onError: (e) => calls.push(`onError:${e.code}`),
    ...options,
  };
  const controller = createLinkController(() => opts, src.source);
  live.push(controller);
  return { controller, events, calls, src };
}

/** A relay message of the callback page, as the popup posts it. */
export function relay(id: string, nonce: string, outcome: unknown, origin = window.location.origin) {
  window.dispatchEvent(
    new MessageEvent('message', { data: { type: RELAY_TYPE, id, nonce, outcome }, origin }),
  );
}

/**
 * The record the tab held when the popup opened: what the browser copies into the popup (the tab
 * removes its own just after `window.open`). Kept by watching the tab's storage.
 */
let recordAtOpen: string | null = null;
if (typeof Storage === 'function') {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (this: Storage, key: string, value: string) {
    if (key === POPUP_KEY) recordAtOpen = value;
    setItem.call(this, key, value);
  };
}

/** The attempt record of the last popup opened, as its copy of the tab's sessionStorage holds it. */
export function storedAttempt(): { id: string; nonce: string } {
  return JSON.parse(recordAtOpen ?? 'null') as { id: string; nonce: string };
}

/** After each test: controllers disposed, mocks and timers restored, storage and page emptied. */
export function resetPage(): void {
  for (const c of live.splice(0)) c.dispose();
  recordAtOpen = null;
  vi.restoreAllMocks();
  vi.useRealTimers();
  sessionStorage.clear();
  localStorage.clear();
  document.body.innerHTML = '';
  document.body.removeAttribute('style');
}
