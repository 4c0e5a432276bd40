// @vitest-environment jsdom
// A popup attempt: the click, the window, the relay of the outcome, a blocked popup.
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
import { POPUP_KEY, REDIRECT_KEY, RELAY_TYPE } from './records';

afterEach(resetPage);

describe('popup mode', () => {
  let popup: ReturnType<typeof fakePopup>;
  let open: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    popup = fakePopup();
    open = stubWindowOpen(() => popup);
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

  it('holds the attempt record only while window.open runs: the popup gets its copy, the tab keeps none', async () => {
    const { controller, src } = setup({ mode: 'popup' });
    open.mockImplementation(() => {
      expect(sessionStorage.getItem(POPUP_KEY)).not.toBeNull();
      return popup;
    });
    controller.open();
    // a window opened from this tab later (a reload's redirect, another site's frame) finds no record
    expect(sessionStorage.getItem(POPUP_KEY)).toBeNull();
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
    await vi.waitFor(() => expect(controller.getState().status).toBe('success'), { timeout: 20_000 });
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
});
