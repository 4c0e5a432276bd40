// @vitest-environment jsdom
// A popup attempt ending: the person closing it (COOP-safe), a second attempt, teardown, a failed request.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  fakePopup,
  fresh,
  relay,
  resetPage,
  SESSION_ORIGIN,
  setup,
  storedAttempt,
  stubWindowOpen,
} from './controllerTestKit';
import type { LinkController } from './types';

afterEach(resetPage);

describe('popup mode', () => {
  let popup: ReturnType<typeof fakePopup>;
  let open: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    popup = fakePopup();
    open = stubWindowOpen(() => popup);
  });

  it('after the person closes a popup seen live and is back here, reports cancelled/closed after the grace period', async () => {
    vi.useFakeTimers();
    const { controller, src, calls } = setup({ mode: 'popup', popupCloseGraceMs: 3000 });
    controller.open();
    src.resolve();
    goCrossOrigin();
    await vi.advanceTimersByTimeAsync(1000);
    popup.closed = true;
    await vi.advanceTimersByTimeAsync(500);
    window.dispatchEvent(new Event('focus')); // a real close hands focus back to the app
    await vi.advanceTimersByTimeAsync(2500);
    expect(controller.getState().status).toBe('open');
    await vi.advanceTimersByTimeAsync(1000);
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', reason: 'closed' });
    expect(calls.slice(-3)).toEqual(['event:cancelled', 'onExit:cancelled', 'event:closed']);
  });

  it('a popup seen live and then severed by COOP on a later step is not reported as closed while the person works in it', async () => {
    vi.useFakeTimers();
    const { controller, src, calls } = setup({ mode: 'popup', popupCloseGraceMs: 3000 });
    controller.open();
    const { id, nonce } = storedAttempt();
    src.resolve();
    goCrossOrigin();
    await vi.advanceTimersByTimeAsync(1000);
    popup.closed = true; // the next hosted step sends COOP: the handle reads closed, the flow goes on
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(controller.getState().status).toBe('open');
    relay(id, nonce, { status: 'success', connectionId: 'conn_late_coop' });
    expect(controller.getState().outcome).toMatchObject({
      status: 'success',
      connectionId: 'conn_late_coop',
    });
    expect(calls).toContain('onSuccess');
  });

  it('a relay arriving within the grace period wins over the close', async () => {
    vi.useFakeTimers();
    const { controller, src } = setup({ mode: 'popup' });
    controller.open();
    const { id, nonce } = storedAttempt();
    src.resolve();
    goCrossOrigin();
    await vi.advanceTimersByTimeAsync(1000);
    popup.closed = true; // e.g. the app's callback page has COOP itself
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(1000);
    relay(id, nonce, { status: 'success', connectionId: 'conn_late' });
    expect(controller.getState().outcome).toMatchObject({ status: 'success', connectionId: 'conn_late' });
  });

  it('a popup that reads closed without ever being seen live (COOP severance) stays open until the person is back', async () => {
    vi.useFakeTimers();
    const { controller, src, calls } = setup({ mode: 'popup' });
    controller.open();
    const { id, nonce } = storedAttempt();
    src.resolve();
    await vi.advanceTimersByTimeAsync(500);
    popup.closed = true; // COOP: the handle reads closed while the flow goes on
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(controller.getState().status).toBe('open');
    relay(id, nonce, { status: 'success', connectionId: 'conn_coop' });
    expect(controller.getState().outcome).toMatchObject({ status: 'success', connectionId: 'conn_coop' });
    expect(calls).toContain('onSuccess');
  });

  it.each(['focus', 'pointerdown', 'keydown'])(
    'after a severed popup, a %s on this window starts the grace period before closed',
    async (type) => {
      vi.useFakeTimers();
      const { controller, src } = setup({ mode: 'popup' });
      controller.open();
      src.resolve();
      await vi.advanceTimersByTimeAsync(500);
      popup.closed = true;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(controller.getState().status).toBe('open');
      window.dispatchEvent(new Event(type));
      await vi.advanceTimersByTimeAsync(3500);
      expect(controller.getState().outcome).toEqual({ status: 'cancelled', reason: 'closed' });
    },
  );

  it('a callback may start the next attempt at once (the ended attempt no longer blocks open)', async () => {
    const holder: { controller?: LinkController } = {};
    let reopened = false;
    const reopen = () => {
      if (reopened) return;
      reopened = true;
      popup = fakePopup();
      holder.controller?.open();
    };
    const { controller, src } = setup({ mode: 'popup', onExit: reopen });
    holder.controller = controller;
    controller.open();
    const { id, nonce } = storedAttempt();
    await src.resolve();
    relay(id, nonce, { status: 'cancelled' });
    expect(open).toHaveBeenCalledTimes(2);
    expect(controller.getState().status).toBe('preparing');
  });

  it('a second open() while one attempt runs is a no-op: one window, one request', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { controller, src } = setup({ mode: 'popup' });
    controller.open();
    controller.open();
    expect(open).toHaveBeenCalledTimes(1);
    expect(src.requests).toBe(1);
  });

  it('opens a prefetched fresh session directly at its URL without a request, and never reuses it', async () => {
    const { controller, src } = setup({ mode: 'popup' });
    src.prime(fresh('cs_pre'));
    controller.prefetch();
    expect(controller.getState()).toMatchObject({ status: 'ready', isReady: true });
    controller.open();
    // one navigation: window.open goes to the session, no loading document to replace
    expect(open).toHaveBeenCalledTimes(1);
    expect(open.mock.calls[0]?.[0]).toBe(`${SESSION_ORIGIN}/cs_pre`);
    expect(popup.location.replace).not.toHaveBeenCalled();
    expect(popup.document.body.textContent).toBe('');
    expect(controller.getState()).toMatchObject({
      status: 'open',
      session: { url: `${SESSION_ORIGIN}/cs_pre` },
    });
    expect(src.source.peek()).toBeUndefined();
    expect(src.requests).toBe(0);
  });

  it('dispose() mid-flow closes the popup and removes listeners, timers and the channel', async () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const setI = vi.spyOn(window, 'setInterval');
    const clearI = vi.spyOn(window, 'clearInterval');
    const close = vi.spyOn(BroadcastChannel.prototype, 'close');
    const { controller, src, calls } = setup({ mode: 'popup' });
    const listener = vi.fn();
    controller.subscribe(listener);
    controller.open();
    await src.resolve();
    listener.mockClear();
    controller.dispose();
    expect(popup.close).toHaveBeenCalled();
    expect(removed.mock.calls.map((c) => c[1])).toEqual(
      expect.arrayContaining(added.mock.calls.map((c) => c[1])),
    );
    expect(clearI.mock.calls.map((c) => c[0])).toEqual(setI.mock.results.map((r) => r.value));
    expect(close).toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
    expect(calls.filter((c) => c.startsWith('on'))).toEqual([]);
  });

  it('closing the loading popup before the session came ends the attempt at once; the late session opens the next one', async () => {
    vi.useFakeTimers();
    const { controller, src, calls } = setup({ mode: 'popup' });
    controller.open();
    expect(controller.getState().status).toBe('preparing');
    popup.closed = true; // our own loading page: no COOP, the close is certain
    await vi.advanceTimersByTimeAsync(300);
    expect(controller.getState()).toMatchObject({
      status: 'cancelled',
      outcome: { status: 'cancelled', reason: 'closed' },
    });
    expect(calls.slice(-3)).toEqual(['event:cancelled', 'onExit:cancelled', 'event:closed']);
    const late = src.resolve(fresh('cs_late'));
    await vi.advanceTimersByTimeAsync(1);
    await late;
    expect(popup.location.replace).not.toHaveBeenCalled();
    expect(calls.filter((c) => c === 'onExit:cancelled')).toHaveLength(1);
    const next = fakePopup();
    open.mockImplementation(() => next);
    controller.open();
    expect(open).toHaveBeenLastCalledWith(
      `${SESSION_ORIGIN}/cs_late`,
      expect.any(String),
      expect.any(String),
    );
    expect(controller.getState().status).toBe('open');
  });

  it('a failed session request closes the loading popup and reports the server code', async () => {
    const { controller, src, calls } = setup({ mode: 'popup' });
    controller.open();
    const { LinkError } = await import('./LinkError');
    await src.reject(new LinkError('unauthenticated', 'Sign in first.', 401));
    expect(popup.close).toHaveBeenCalled();
    expect(controller.getState()).toMatchObject({
      status: 'error',
      error: { code: 'unauthenticated', status: 401 },
    });
    expect(calls).toContain('onExit:error');
    expect(calls).toContain('onError:unauthenticated');
  });

  /** The popup reached a cross-origin page without being severed: its document is unreadable. */
  function goCrossOrigin() {
    Object.defineProperty(popup, 'document', {
      get() {
        throw new DOMException('Blocked a frame with origin', 'SecurityError');
      },
    });
  }
});
