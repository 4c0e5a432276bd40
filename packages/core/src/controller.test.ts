// @vitest-environment jsdom
import axe from 'axe-core';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { createLinkController, type LinkController, type LinkControllerOptions } from './controller';
import { fakePopup, flush, fresh, manualSource, SESSION_ORIGIN } from './controllerTestKit';
import { embed } from './embedEntry';
import { optionsProblem } from './options';
import { POPUP_KEY, REDIRECT_KEY, RELAY_TYPE } from './relay';
import type { LinkEvent } from './types';

const live: LinkController[] = [];

function setup(options: LinkControllerOptions = {}) {
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

function relay(id: string, nonce: string, outcome: unknown, origin = window.location.origin) {
  window.dispatchEvent(
    new MessageEvent('message', { data: { type: RELAY_TYPE, id, nonce, outcome }, origin }),
  );
}

function storedAttempt(): { id: string; nonce: string } {
  return JSON.parse(sessionStorage.getItem(POPUP_KEY) ?? 'null') as { id: string; nonce: string };
}

afterEach(() => {
  for (const c of live.splice(0)) c.dispose();
  vi.restoreAllMocks();
  vi.useRealTimers();
  sessionStorage.clear();
  localStorage.clear();
  document.body.innerHTML = '';
  document.body.removeAttribute('style');
});

describe('popup mode', () => {
  let popup: ReturnType<typeof fakePopup>;
  let open: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    popup = fakePopup();
    open = vi.fn(() => popup);
    vi.spyOn(window, 'open').mockImplementation(open as unknown as typeof window.open);
  });

  it('in the click, requests the session, then opens the window, and only then runs app code', () => {
    const order: string[] = [];
    open.mockImplementation(() => {
      order.push('window.open');
      return popup;
    });
    const { controller, src } = setup({ mode: 'popup', onEvent: (e) => order.push(`event:${e.type}`) });
    const get = src.source.get;
    src.source.get = (signal) => {
      order.push('request');
      return get(signal);
    };
    controller.subscribe(() => order.push(`state:${controller.getState().status}`));
    controller.open();
    expect(order).toEqual(['request', 'window.open', 'event:session_requested', 'state:preparing']);
    controller.dispose();
  });

  it('an onEvent that ends the attempt at session_requested leaves no window and no preparing state', () => {
    const { controller } = setup({
      mode: 'popup',
      onEvent: (e) => {
        if (e.type === 'session_requested') controller.close();
      },
    });
    controller.open();
    expect(popup.close).toHaveBeenCalled();
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', reason: 'closed' });
    expect(controller.getState().status).toBe('cancelled');
  });

  it('opens the window synchronously, before the session arrives, then navigates it', async () => {
    const { controller, src } = setup({ mode: 'popup' });
    controller.open();
    expect(open).toHaveBeenCalledTimes(1);
    expect(open.mock.calls[0]?.[0]).toBe('about:blank');
    expect(String(open.mock.calls[0]?.[2])).toMatch(/width=500,height=720,left=\d+,top=\d+/);
    expect(controller.getState().status).toBe('preparing');
    await src.resolve(fresh('cs_42'));
    expect(popup.location.replace).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_42`);
    expect(controller.getState().status).toBe('open');
    controller.dispose();
  });

  it('sends the request and navigates the popup before app code runs: a slow onEvent cannot delay either', async () => {
    const seen: string[] = [];
    const { controller, src } = setup({
      mode: 'popup',
      onEvent: (e) => {
        seen.push(`${e.type} requests=${src.requests} replaced=${popup.location.replace.mock.calls.length}`);
      },
    });
    const states: string[] = [];
    controller.subscribe(() => states.push(`${controller.getState().status} requests=${src.requests}`));
    controller.open();
    await src.resolve(fresh('cs_7'));
    expect(states[0]).toBe('preparing requests=1');
    expect(seen.slice(0, 3)).toEqual([
      'session_requested requests=1 replaced=0',
      'session_ready requests=1 replaced=1',
      'opened requests=1 replaced=1',
    ]);
  });

  it('an onEvent handler that closes the attempt on session_ready ends it once, as closed', async () => {
    const calls: string[] = [];
    const { controller, src } = setup({
      mode: 'popup',
      onEvent: (e) => {
        calls.push(e.type);
        if (e.type === 'session_ready') controller.close();
      },
      onExit: (o) => calls.push(`onExit:${o.status}:${o.status === 'cancelled' ? o.reason : ''}`),
    });
    controller.open();
    await src.resolve();
    expect(calls).toEqual([
      'session_requested',
      'session_ready',
      'cancelled',
      'onExit:cancelled:closed',
      'closed',
    ]);
    expect(controller.getState().status).toBe('cancelled');
    expect(popup.close).toHaveBeenCalled();
  });

  it('writes the attempt record before window.open and removes it when the attempt ends', async () => {
    const { controller, src } = setup({ mode: 'popup' });
    open.mockImplementation(() => {
      expect(sessionStorage.getItem(POPUP_KEY)).not.toBeNull();
      return popup;
    });
    controller.open();
    const { id, nonce } = storedAttempt();
    await src.resolve();
    relay(id, nonce, { status: 'success', connectionId: 'conn_1' });
    expect(sessionStorage.getItem(POPUP_KEY)).toBeNull();
    // nothing in localStorage: a record there could be found by a callback page another site opened
    expect(localStorage.length).toBe(0);
  });

  it('reports success from a relay with the right nonce, in order: success, onSuccess, closed', async () => {
    const { controller, src, calls } = setup({ mode: 'popup' });
    controller.open();
    const { id, nonce } = storedAttempt();
    await src.resolve();
    relay(id, nonce, { status: 'success', connectionId: 'conn_1', clientReferenceId: 'u1' });
    expect(controller.getState()).toMatchObject({
      status: 'success',
      outcome: { status: 'success', connectionId: 'conn_1', clientReferenceId: 'u1', confirmed: false },
    });
    expect(calls).toEqual([
      'event:session_requested',
      'event:session_ready',
      'event:opened',
      'event:success',
      'onSuccess',
      'event:closed',
    ]);
    expect(popup.close).toHaveBeenCalled();
  });

  it('ignores relays with a wrong nonce, a wrong id or from another origin, and replays after the end', async () => {
    const { controller, src, calls } = setup({ mode: 'popup' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    controller.open();
    const { id, nonce } = storedAttempt();
    await src.resolve();
    relay(id, 'forged', { status: 'success', connectionId: 'conn_x' });
    relay('other', nonce, { status: 'success', connectionId: 'conn_x' });
    relay(id, nonce, { status: 'success', connectionId: 'conn_x' }, 'https://evil.test');
    expect(controller.getState().status).toBe('open');
    expect(warn).toHaveBeenCalled();
    relay(id, nonce, { status: 'cancelled', step: 'login' });
    relay(id, nonce, { status: 'success', connectionId: 'conn_replayed' });
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', step: 'login', reason: 'user' });
    expect(calls.filter((c) => c.startsWith('onExit') || c === 'onSuccess')).toEqual(['onExit:cancelled']);
  });

  it('receives the relay over BroadcastChannel when window.opener was severed', async () => {
    const { controller, src } = setup({ mode: 'popup' });
    controller.open();
    const { id, nonce } = storedAttempt();
    await src.resolve();
    const bc = new BroadcastChannel(`oflink:${window.location.origin}`);
    bc.postMessage({ type: RELAY_TYPE, id, nonce, outcome: { status: 'success', connectionId: 'conn_bc' } });
    bc.close();
    await vi.waitFor(() => expect(controller.getState().status).toBe('success'), { timeout: 2000 });
    expect(controller.getState().outcome).toMatchObject({ connectionId: 'conn_bc' });
  });

  it('reports popup_blocked in popup mode, and falls back to a redirect in auto mode', async () => {
    open.mockReturnValue(null);
    const blocked = setup({ mode: 'popup' });
    blocked.controller.open();
    expect(blocked.controller.getState()).toMatchObject({
      status: 'error',
      error: { code: 'popup_blocked' },
    });
    expect(blocked.calls).toContain('onError:popup_blocked');
    expect(sessionStorage.getItem(POPUP_KEY)).toBeNull();

    const assign = vi.fn();
    vi.spyOn(window, 'location', 'get').mockReturnValue({
      ...window.location,
      assign,
      origin: window.location.origin,
    });
    const auto = setup({ mode: 'auto', returnTo: '/settings' });
    auto.controller.open();
    await auto.src.resolve(fresh('cs_r'));
    expect(assign).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_r`);
    expect(JSON.parse(sessionStorage.getItem(REDIRECT_KEY) ?? '{}')).toMatchObject({ returnTo: '/settings' });
  });

  /** The popup reached a cross-origin page without being severed: its document is unreadable. */
  function goCrossOrigin() {
    Object.defineProperty(popup, 'document', {
      get() {
        throw new DOMException('Blocked a frame with origin', 'SecurityError');
      },
    });
  }

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
});

describe('embed mode', () => {
  async function openEmbed(options: LinkControllerOptions = {}) {
    const trigger = document.createElement('button');
    trigger.textContent = 'Connect';
    document.body.appendChild(trigger);
    trigger.focus();
    const t = setup({ mode: 'embed', embed, ...options });
    t.controller.open();
    await t.src.resolve(fresh('cs_e'));
    const frame = document.querySelector('iframe') as HTMLIFrameElement;
    const post = (data: unknown, origin = SESSION_ORIGIN, source: unknown = frame.contentWindow) =>
      window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
    return { ...t, frame, post, trigger };
  }

  it('mounts an accessible modal with the embed URL parameters, locks scroll and moves focus in', async () => {
    const { frame, controller } = await openEmbed({ theme: 'dark', zIndex: 77 });
    const url = new URL(frame.src);
    expect(url.origin + url.pathname).toBe(`${SESSION_ORIGIN}/cs_e`);
    expect(url.searchParams.get('embed')).toBe('true');
    expect(url.searchParams.get('embed_origin')).toBe(window.location.origin);
    expect(url.searchParams.get('theme')).toBe('dark');
    expect(frame.getAttribute('allow')).toBe('camera; microphone; clipboard-read; clipboard-write');
    const dialog = document.querySelector('[role="dialog"]') as HTMLElement;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-label')).toBeTruthy();
    expect(frame.title).toBeTruthy();
    expect((document.querySelector('[data-oflink-overlay]') as HTMLElement).style.zIndex).toBe('77');
    expect(document.body.style.overflow).toBe('hidden');
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(controller.getState().status).toBe('open');
  });

  it('does not prefetch when it hands focus back to the trigger after a success (nobody would use that session)', async () => {
    const { post, controller, trigger, src } = await openEmbed();
    trigger.addEventListener('focus', () => controller.prefetch());
    const before = src.requests;
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn_f' } },
    });
    expect(controller.getState().status).toBe('success');
    await flush();
    expect(document.activeElement).toBe(trigger);
    expect(src.requests).toBe(before);
    // a person focusing it again later does prefetch
    trigger.blur();
    trigger.focus();
    expect(src.requests).toBe(before + 1);
  });

  it('has no axe violations while open', async () => {
    await openEmbed();
    const result = await axe.run(document.body, {
      iframes: false,
      rules: { 'color-contrast': { enabled: false } },
    });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it('ignores messages from another origin or another window, then accepts the frame', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { post, controller, frame } = await openEmbed();
    const success = {
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: {
        redirect: false,
        connection: { id: 'conn_e', userData: { id: 'u', name: 'n', username: 'un', avatar: null } },
      },
    };
    post(success, 'https://evil.test');
    post(success, `${SESSION_ORIGIN}:8443`);
    post(success, SESSION_ORIGIN, window);
    expect(controller.getState().status).toBe('open');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(frame.contentWindow).not.toBeNull();
    post(success);
    expect(controller.getState().outcome).toMatchObject({
      status: 'success',
      connectionId: 'conn_e',
      user: { username: 'un' },
    });
  });

  it('emits loaded and sandbox_info, and keeps the sandbox credentials in state', async () => {
    const { post, controller, events } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({
      type: 'OFAUTH_LINK',
      event: 'sandbox_info',
      metadata: {
        scenarios: [
          { id: 'creator', accountType: 'creator', loginType: 'password', password: 'good-password' },
        ],
      },
    });
    expect(events.map((e) => e.type)).toEqual([
      'session_requested',
      'session_ready',
      'opened',
      'loaded',
      'sandbox_info',
    ]);
    expect(controller.getState().sandbox?.scenarios[0]?.password).toBe('good-password');
  });

  it('reports loaded once per attempt, however often the page (or a renewed session) posts it', async () => {
    const { post, events, src } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    await src.resolve(fresh('cs_renewed'));
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    expect(events.filter((e) => e.type === 'loaded')).toHaveLength(1);
  });

  it.each([
    [
      'an exit type this version does not know',
      { type: 'approval', step: 'pre-login', error: null },
      { status: 'cancelled', step: 'pre-login', reason: 'user', exitType: 'approval' },
    ],
    ['an exit with no metadata', undefined, { status: 'cancelled', reason: 'user' }],
    ['a forced exit', { type: 'forced_exit', error: null }, { status: 'cancelled', reason: 'forced' }],
  ])('closes the modal on %s', async (_, metadata, outcome) => {
    const { post, controller } = await openEmbed();
    post(
      metadata === undefined
        ? { type: 'OFAUTH_LINK', event: 'exit' }
        : { type: 'OFAUTH_LINK', event: 'exit', metadata },
    );
    expect(controller.getState()).toMatchObject({ status: 'cancelled', outcome });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('ends with invalid_connection_id when a success carries no usable connection id', async () => {
    const { post, controller } = await openEmbed();
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn.a:1' } },
    });
    expect(controller.getState()).toMatchObject({
      status: 'error',
      outcome: { code: 'invalid_connection_id' },
    });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('on Escape asks the page to exit with exit_requested at the session origin; the exit answer cancels', async () => {
    const { post, frame, controller, trigger } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    const sent = vi.spyOn(frame.contentWindow as Window, 'postMessage').mockImplementation(() => {});
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(sent).toHaveBeenCalledWith(
      { type: 'OFAUTH_LINK', event: 'exit_requested', force: false },
      SESSION_ORIGIN,
    );
    post({ type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'user_exit', step: 'login', error: null } });
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', step: 'login', reason: 'user' });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.body.style.overflow).toBe('');
    await vi.waitFor(() => expect(document.activeElement).toBe(trigger));
  });

  it('renews the session once on invalid_session and reloads the frame; a second one is an error', async () => {
    const { post, frame, controller, src, events } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    await src.resolve(fresh('cs_renewed'));
    expect(new URL(frame.src).pathname).toBe('/cs_renewed');
    expect(events.map((e) => e.type)).toContain('session_renewed');
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    expect(controller.getState()).toMatchObject({ status: 'error', outcome: { code: 'invalid_session' } });
    expect(src.requests).toBe(2);
  });

  it('navigates to successUrl after onSuccess when the page asks for a redirect, on the app origin only', async () => {
    const order: string[] = [];
    const assign = vi.fn((url: string) => order.push(`assign:${url}`));
    const { post } = await openEmbed({ onSuccess: () => order.push('onSuccess') });
    const here = window.location.origin;
    vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, origin: here, assign });
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: true, successUrl: `${here}/done`, connection: { id: 'conn_r' } },
    });
    expect(order).toEqual(['onSuccess', `assign:${here}/done`]);
  });

  it.each(['https://evil.example/phish', 'javascript:alert(1)', '//evil.example/x', 'not a url'])(
    'ignores a successUrl off the app origin (%s): the success is reported, nothing navigates',
    async (successUrl) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const assign = vi.fn();
      const onSuccess = vi.fn();
      const { post } = await openEmbed({ onSuccess });
      vi.spyOn(window, 'location', 'get').mockReturnValue({
        ...window.location,
        origin: window.location.origin,
        assign,
      });
      post({
        type: 'OFAUTH_LINK',
        event: 'success',
        metadata: { redirect: true, successUrl, connection: { id: 'conn_x' } },
      });
      expect(onSuccess).toHaveBeenCalledTimes(1);
      expect(assign).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not on this app’s origin'));
    },
  );

  it('close() tears the modal down as cancelled/closed', async () => {
    const { controller } = await openEmbed();
    controller.close();
    expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', reason: 'closed' });
  });
});

describe('state machine', () => {
  it('goes idle → ready on prefetch, and reset() returns to idle without callbacks', async () => {
    const { controller, src, calls } = setup({ mode: 'embed', embed });
    expect(controller.getState().status).toBe('idle');
    controller.prefetch();
    await src.resolve();
    expect(controller.getState()).toMatchObject({ status: 'ready', isReady: true });
    controller.open();
    expect(controller.getState().status).toBe('open');
    controller.reset();
    expect(controller.getState().status).toBe('idle');
    expect(calls.filter((c) => c.startsWith('on'))).toEqual([]);
  });

  it('notifies subscribers on each change and stops after unsubscribe', async () => {
    const { controller, src } = setup({ mode: 'embed', embed });
    const seen: string[] = [];
    const off = controller.subscribe(() => seen.push(controller.getState().status));
    controller.open();
    await src.resolve();
    controller.close();
    off();
    controller.reset();
    expect(seen).toEqual(['preparing', 'open', 'cancelled']);
  });

  it('draws from the random generator when made, so the click is not the page’s first draw', () => {
    const draws = vi.spyOn(crypto, 'getRandomValues');
    const { controller } = setup({ mode: 'embed', embed });
    expect(draws).toHaveBeenCalledTimes(1);
    controller.open();
    expect(draws).toHaveBeenCalledTimes(3); // the attempt's id and nonce
  });
});

describe('invalid options', () => {
  let open: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    open = vi.fn(() => fakePopup());
    vi.spyOn(window, 'open').mockImplementation(open as unknown as typeof window.open);
  });

  it.each([
    [{ mode: 'modal' }, 'mode'],
    [{ mode: 'popup', theme: 'neon' }, 'theme'],
    [{ mode: 'popup', returnTo: 'https://evil.example/' }, 'returnTo'],
    [{ mode: 'embed', embed, zIndex: '1;background:url(x)' }, 'zIndex'],
    [{ mode: 'popup', popupCloseGraceMs: -5 }, 'popupCloseGraceMs'],
    [{ mode: 'popup', endpoint: '' }, 'endpoint'],
  ])('%o: an invalid_options error before any window, storage or request', (options, name) => {
    const { controller, calls, events, src } = setup(options as LinkControllerOptions);
    controller.open();
    const { status, error, outcome } = controller.getState();
    expect(status).toBe('error');
    expect(error).toMatchObject({ name: 'LinkError', code: 'invalid_options' });
    expect(error?.message).toMatch(new RegExp(`^Invalid oflink options: ${name} must be `));
    expect(outcome).toEqual({ status: 'error', code: 'invalid_options', message: error?.message });
    expect(calls).toEqual(['event:error', 'onExit:error', 'onError:invalid_options']);
    expect(events.map((e) => e.type)).not.toContain('session_requested');
    expect(src.requests).toBe(0);
    expect(open).not.toHaveBeenCalled();
    expect(sessionStorage.length + localStorage.length).toBe(0);
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('a callback that is not a function is reported through the others and never thrown on', () => {
    const { controller, calls } = setup({ mode: 'popup', onExit: 'close' as never });
    expect(() => controller.open()).not.toThrow();
    expect(calls).toEqual(['event:error', 'onError:invalid_options']);
    expect(controller.getState().error?.message).toBe(
      'Invalid oflink options: onExit must be a function; got "close".',
    );
    const none = setup({ onSuccess: 1, onExit: 1, onError: 1, onEvent: 1 } as never);
    expect(() => none.controller.open()).not.toThrow();
    expect(none.controller.getState()).toMatchObject({ status: 'error', error: { code: 'invalid_options' } });
  });

  it('options are read at every use: once fixed, the next open() runs', async () => {
    const options: LinkControllerOptions = { mode: 'sideways' as never };
    const { controller, src } = setup();
    const fixed = createLinkController(() => options, src.source);
    live.push(fixed);
    fixed.open();
    expect(fixed.getState().error?.code).toBe('invalid_options');
    options.mode = 'popup';
    fixed.open();
    expect(open).toHaveBeenCalledTimes(1);
    expect(src.requests).toBe(1);
    await src.resolve();
    expect(fixed.getState().status).toBe('open');
    expect(controller.getState().status).toBe('idle');
  });

  it('prefetch() with invalid options requests nothing (open() reports it)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { controller, src } = setup({ mode: 'embed', embed, theme: 'neon' as never });
    controller.prefetch();
    expect(src.requests).toBe(0);
    expect(controller.getState().status).toBe('idle');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Not prefetching: theme must be one of'));
  });
});

describe('generated options (fast-check)', () => {
  const fuzz = { runs: 0, invalid: 0, violations: 0 };
  afterAll(() =>
    writeFigures('core-fuzz-options', [
      {
        area: 'browser fuzz',
        measure: 'controller option objects generated (fast-check)',
        value: fuzz.runs,
        goal: '≥ 1000',
      },
      {
        area: 'browser fuzz',
        measure: 'bad options not reported as invalid_options before any window or request, or thrown',
        value: fuzz.violations,
        goal: '0',
      },
    ]),
  );

  it('open() never throws: bad options end it as invalid_options before any window or request, good ones run', () => {
    const fn = () => () => {};
    // each member: absent, a documented value, or (one time in 20) anything at all
    const member = <T>(...valid: T[]) =>
      fc.option(
        fc.oneof(
          { arbitrary: fc.constantFrom(...valid), weight: 19 },
          { arbitrary: fc.anything(), weight: 1 },
        ),
        { nil: undefined },
      );
    const options = fc.record(
      {
        mode: member('auto', 'popup', 'embed', 'redirect'),
        theme: member('auto', 'light', 'dark'),
        prefetch: member<boolean | 'hover'>(true, false, 'hover'),
        endpoint: member('/api/oflink/session', 'https://api.app.example/s'),
        returnTo: member('/', '/settings?tab=2', '//evil.example', 'https://evil.example/'),
        zIndex: member(0, 10, 2147483000),
        popupCloseGraceMs: member(0, 3000),
        fetchSession: member(fn()),
        onSuccess: member(fn()),
        onExit: member(fn()),
        onError: member(fn()),
        onEvent: member(fn()),
        connectionId: member('conn_1'),
        embed: member(embed),
      },
      { requiredKeys: [] },
    );
    const windowOpen = vi.spyOn(window, 'open').mockImplementation(() => fakePopup() as unknown as Window);
    fc.assert(
      fc.property(options, (generated) => {
        fuzz.runs++;
        windowOpen.mockClear();
        const o = generated as LinkControllerOptions;
        const problem = optionsProblem(o, window.location.origin);
        const src = manualSource();
        const controller = createLinkController(() => o, src.source);
        let ok = true;
        try {
          controller.open();
          const { status, error } = controller.getState();
          if (problem) {
            fuzz.invalid++;
            ok =
              status === 'error' &&
              error?.code === 'invalid_options' &&
              error.message === `Invalid oflink options: ${problem}` &&
              windowOpen.mock.calls.length === 0 &&
              src.requests === 0 &&
              sessionStorage.length === 0;
          } else {
            ok = status === 'preparing' && src.requests === 1;
          }
        } catch {
          ok = false;
        } finally {
          controller.dispose();
          sessionStorage.clear();
          localStorage.clear();
        }
        if (!ok) fuzz.violations++;
        return ok;
      }),
      { numRuns: 1000 },
    );
    // both sides were exercised
    expect(fuzz.invalid).toBeGreaterThan(100);
    expect(fuzz.runs - fuzz.invalid).toBeGreaterThan(100);
  });
});

describe('redirect mode returnTo', () => {
  function redirectFrom(pathname: string, returnTo?: string) {
    const assign = vi.fn();
    vi.spyOn(window, 'location', 'get').mockReturnValue({
      ...window.location,
      assign,
      origin: window.location.origin,
      pathname,
      search: '?tab=2',
      hash: '',
    });
    const t = setup(returnTo === undefined ? { mode: 'redirect' } : { mode: 'redirect', returnTo });
    t.controller.open();
    return { ...t, assign };
  }
  const saved = () => JSON.parse(sessionStorage.getItem(REDIRECT_KEY) ?? '{}') as { returnTo?: unknown };

  it('saves the returnTo option as a normalised same-origin path', async () => {
    const { src, assign } = redirectFrom('/here', '/a/../settings?x=1');
    await src.resolve(fresh('cs_r'));
    expect(assign).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_r`);
    expect(saved().returnTo).toBe('/settings?x=1');
  });

  it('defaults to the current page, and saves null when its path could read as another host', async () => {
    const here = redirectFrom('/account');
    await here.src.resolve(fresh('cs_1'));
    expect(saved().returnTo).toBe('/account?tab=2');
    sessionStorage.clear();
    const crafted = redirectFrom('//evil.example/x');
    await crafted.src.resolve(fresh('cs_2'));
    expect(crafted.assign).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_2`);
    expect(saved().returnTo).toBeNull();
  });
});
