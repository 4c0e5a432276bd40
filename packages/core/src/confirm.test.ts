// @vitest-environment jsdom
// A success confirmed by the app's server before it is reported, in every way of showing Link, and
// the redirect outcome reaching the page the person returns to.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleCallback } from './callback';
import { createLinkController } from './controller';
import { fakePopup, flush, fresh, manualSource, storedAttempt } from './controllerTestKit';
import { LinkError } from './LinkError';
import { REDIRECT_KEY, RELAY_TYPE, readReturned, saveReturned, starterOf } from './records';
import type { LinkControllerOptions, LinkOutcome } from './types';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
  document.body.innerHTML = '';
});

function setup(options: LinkControllerOptions) {
  const calls: string[] = [];
  const src = manualSource();
  const opts: LinkControllerOptions = {
    onSuccess: (o) => calls.push(`onSuccess:${o.connectionId}:${o.confirmed}`),
    onExit: (o) => calls.push(`onExit:${o.status}`),
    onError: (e) => calls.push(`onError:${e.code}`),
    ...options,
  };
  const controller = createLinkController(() => opts, src.source);
  disposers.push(controller.dispose);
  return { controller, calls, src };
}

/** A fetch stand-in for the app's confirm endpoint, answering what the test says. */
function confirmEndpoint(status: number, body: unknown) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => {
    await gate;
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetch);
  return { fetch, release };
}

async function popupSuccess(options: LinkControllerOptions) {
  const popup = fakePopup();
  vi.spyOn(window, 'open').mockImplementation(() => popup as unknown as Window);
  const t = setup({ mode: 'popup', ...options });
  t.controller.open();
  await t.src.resolve(fresh());
  const { id, nonce } = storedAttempt();
  window.dispatchEvent(
    new MessageEvent('message', {
      data: { type: RELAY_TYPE, id, nonce, outcome: { status: 'success', connectionId: 'conn_1' } },
      origin: window.location.origin,
    }),
  );
  return { ...t, popup };
}

describe('confirm before reporting a success', () => {
  beforeEach(() => vi.unstubAllGlobals());

  it('popup: closes the window, shows `confirming`, POSTs { connectionId } to the endpoint, then reports confirmed: true', async () => {
    const endpoint = confirmEndpoint(200, { connection: { id: 'conn_1' } });
    const { controller, calls, popup } = await popupSuccess({ confirm: '/api/oflink/confirm' });
    expect(popup.close).toHaveBeenCalled();
    expect(controller.getState().status).toBe('confirming');
    expect(calls).toEqual([]);
    endpoint.release();
    await flush();
    expect(calls).toEqual(['onSuccess:conn_1:true']);
    expect(controller.getState()).toMatchObject({ status: 'success', outcome: { confirmed: true } });
    const [url, init] = endpoint.fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/oflink/confirm');
    expect(init).toMatchObject({
      method: 'POST',
      credentials: 'same-origin',
      body: '{"connectionId":"conn_1"}',
    });
  });

  it("a refusal is an error outcome with the server's code, never a success", async () => {
    const endpoint = confirmEndpoint(403, { error: { code: 'connection_not_owned', message: 'Not yours.' } });
    const { controller, calls } = await popupSuccess({ confirm: '/api/oflink/confirm' });
    endpoint.release();
    await flush();
    expect(calls).toEqual(['onExit:error', 'onError:connection_not_owned']);
    expect(controller.getState()).toMatchObject({
      status: 'error',
      error: { code: 'connection_not_owned', status: 403 },
    });
  });

  it('a function confirms too; its LinkError is the outcome when it throws', async () => {
    const ok = await popupSuccess({ confirm: async () => undefined });
    await flush();
    expect(ok.calls).toEqual(['onSuccess:conn_1:true']);
    ok.controller.dispose();
    sessionStorage.clear();
    const refused = await popupSuccess({
      confirm: () => Promise.reject(new LinkError('connection_not_owned', 'Not yours.')),
    });
    await flush();
    expect(refused.calls).toEqual(['onExit:error', 'onError:connection_not_owned']);
  });

  it('dispose while confirming reports nothing; open() meanwhile is ignored', async () => {
    const endpoint = confirmEndpoint(200, {});
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { controller, calls } = await popupSuccess({ confirm: '/c' });
    controller.open();
    expect(controller.getState().status).toBe('confirming');
    controller.dispose();
    endpoint.release();
    await flush();
    expect(calls).toEqual([]);
  });
});

describe('redirect: the outcome reaches the page the person returns to', () => {
  function callbackPage(query: string) {
    window.history.replaceState(null, '', `/callback?${query}`);
    return handleCallback(window);
  }

  it('the callback page saves the outcome for this tab; the returning page confirms it and reports it once', async () => {
    sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: 'a1', returnTo: '/settings', at: Date.now() }));
    expect(callbackPage('status=success&connection_id=conn_r')).toMatchObject({
      returnTo: '/settings',
      relayed: false,
    });
    window.history.replaceState(null, '', '/settings');
    const endpoint = confirmEndpoint(200, { connection: { id: 'conn_r' } });
    const first = setup({ confirm: '/api/oflink/confirm' });
    const second = setup({ confirm: '/api/oflink/confirm' });
    first.controller.resume();
    second.controller.resume();
    expect(first.controller.getState().status).toBe('confirming');
    endpoint.release();
    await flush();
    expect([...first.calls, ...second.calls]).toEqual(['onSuccess:conn_r:true']);
    expect(readReturned(sessionStorage)).toBeNull();
    // the controller that did not report it is free again, not left `confirming`
    expect(first.controller.getState().status).toBe('success');
    expect(second.controller.getState()).toMatchObject({ status: 'idle', outcome: null, error: null });
  });

  it('without a redirect record of this tab (a callback URL opened by another site) nothing is saved', () => {
    callbackPage('status=success&connection_id=conn_forged');
    expect(readReturned(sessionStorage)).toBeNull();
  });

  it('an outcome the callback page confirmed already is reported as it is; one dated in the future or long ago is ignored', () => {
    const confirmed: LinkOutcome = { status: 'success', connectionId: 'conn_c', confirmed: true };
    saveReturned(sessionStorage, { id: 'a2', outcome: confirmed });
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const t = setup({ confirm: '/c' });
    t.controller.resume();
    expect(t.calls).toEqual(['onSuccess:conn_c:true']);
    expect(fetch).not.toHaveBeenCalled();
    for (const at of [Date.now() + 60 * 60_000, Date.now() - 60 * 60_000]) {
      sessionStorage.setItem('oflink:returned', JSON.stringify({ id: 'a3', outcome: confirmed, at }));
      const late = setup({});
      late.controller.resume();
      expect(late.calls).toEqual([]);
    }
  });

  it('goes to the button that started it, on the page it returns to: not to another button, nor on the way back', () => {
    window.history.replaceState(null, '', '/settings');
    const redirectButton = { mode: 'redirect' as const };
    sessionStorage.setItem(
      REDIRECT_KEY,
      JSON.stringify({
        id: 'a5',
        returnTo: '/settings?tab=1',
        starter: starterOf(redirectButton),
        at: Date.now(),
      }),
    );
    callbackPage('status=cancelled&step=login');
    // the person goes somewhere else first: nobody there reports it
    window.history.replaceState(null, '', '/elsewhere');
    const wayBack = setup(redirectButton);
    wayBack.controller.resume();
    expect(wayBack.calls).toEqual([]);
    // back on the page: the popup button mounted first does not take it; the redirect button does
    window.history.replaceState(null, '', '/settings?tab=1');
    const popupButton = setup({ mode: 'popup' });
    const own = setup(redirectButton);
    popupButton.controller.resume();
    own.controller.resume();
    expect(popupButton.calls).toEqual([]);
    expect(own.calls).toEqual(['onExit:cancelled']);
    expect(readReturned(sessionStorage)).toBeNull();
  });

  it('confirm: true confirms with the default route of the one mount, /api/oflink/confirm', async () => {
    window.history.replaceState(null, '', '/');
    saveReturned(sessionStorage, {
      id: 'a6',
      outcome: { status: 'success', connectionId: 'conn_t', confirmed: false },
    });
    const endpoint = confirmEndpoint(200, { connection: { id: 'conn_t' } });
    const t = setup({ confirm: true });
    t.controller.resume();
    endpoint.release();
    await flush();
    expect(endpoint.fetch.mock.calls[0]?.[0]).toBe('/api/oflink/confirm');
    expect(t.calls).toEqual(['onSuccess:conn_t:true']);
  });

  it('a cancelled redirect is reported to onExit on return', () => {
    saveReturned(sessionStorage, {
      id: 'a4',
      outcome: { status: 'cancelled', step: 'login', reason: 'user' },
    });
    const t = setup({});
    t.controller.resume();
    expect(t.calls).toEqual(['onExit:cancelled']);
  });
});
