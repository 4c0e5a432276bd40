// @vitest-environment jsdom
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { handleCallback } from './callback';
import { channelName, POPUP_KEY, parseRelay, REDIRECT_KEY, RELAY_TYPE } from './records';

const fuzz = { relays: 0, relayViolations: 0 };
afterAll(() =>
  writeFigures('core-fuzz-relay', [
    {
      area: 'browser fuzz',
      measure: 'popup relay payloads generated (fast-check)',
      value: fuzz.relays,
      goal: '≥ 1000',
    },
    {
      area: 'browser fuzz',
      measure: 'relay accepted without the exact attempt id and nonce',
      value: fuzz.relayViolations,
      goal: '0',
    },
  ]),
);

function visit(search: string) {
  window.history.replaceState(null, '', `/callback${search}#frag`);
}

afterEach(() => {
  vi.restoreAllMocks();
  sessionStorage.clear();
  localStorage.clear();
});

describe('handleCallback', () => {
  it('in a redirect flow returns the outcome and the saved same-origin returnTo, and strips the parameters', () => {
    sessionStorage.setItem(
      REDIRECT_KEY,
      JSON.stringify({ id: 'a1', returnTo: '/settings?tab=2', at: Date.now() }),
    );
    visit('?status=success&connection_id=conn_1&client_reference_id=u1&keep=1');
    const result = handleCallback(window, false);
    expect(result).toEqual({
      outcome: { status: 'success', connectionId: 'conn_1', clientReferenceId: 'u1', confirmed: false },
      returnTo: '/settings?tab=2',
      relayed: false,
    });
    expect(window.location.pathname + window.location.search + window.location.hash).toBe(
      '/callback?keep=1#frag',
    );
    expect(sessionStorage.getItem(REDIRECT_KEY)).toBeNull();
  });

  it('never returns a foreign returnTo (no open redirect)', () => {
    sessionStorage.setItem(
      REDIRECT_KEY,
      JSON.stringify({ id: 'a1', returnTo: '//evil.example/x', at: Date.now() }),
    );
    visit('?status=cancelled&step=login');
    expect(handleCallback(window, false).returnTo).toBeNull();
  });

  it('in a popup relays to the opener on its own origin and over BroadcastChannel, with the nonce, then closes', async () => {
    sessionStorage.setItem(POPUP_KEY, JSON.stringify({ id: 'a2', nonce: 'n2', at: Date.now() }));
    const opener = { postMessage: vi.fn() };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    const heard: unknown[] = [];
    const bc = new BroadcastChannel(channelName(window.location.origin));
    bc.onmessage = (e) => heard.push(e.data);
    visit('?status=success&connection_id=conn_2');
    const result = handleCallback(window);
    const message = {
      type: RELAY_TYPE,
      id: 'a2',
      nonce: 'n2',
      outcome: { status: 'success', connectionId: 'conn_2', confirmed: false },
    };
    expect(result.relayed).toBe(true);
    expect(opener.postMessage).toHaveBeenCalledWith(message, window.location.origin);
    await vi.waitFor(() => expect(heard).toEqual([message]), { timeout: 20_000 });
    await vi.waitFor(() => expect(close).toHaveBeenCalled(), { timeout: 20_000 });
    bc.close();
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
  });

  it('a callback another site opened (no record in this window, a cross-origin opener) relays and saves nothing, and closes nothing', () => {
    // what an attacker's window.open(APP + '/callback?status=cancelled') gets: a fresh sessionStorage,
    // and an opener on another origin whose storage cannot be read
    localStorage.setItem('oflink:attempt:x', JSON.stringify({ id: 'x', nonce: 'n', at: Date.now() }));
    const opener = {
      postMessage: vi.fn(),
      get sessionStorage(): Storage {
        throw new DOMException('Blocked a frame with origin', 'SecurityError');
      },
    };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    visit('?status=cancelled&step=login');
    expect(handleCallback(window)).toEqual({
      outcome: { status: 'cancelled', step: 'login', reason: 'user' },
      returnTo: null,
      relayed: false,
    });
    expect(opener.postMessage).not.toHaveBeenCalled();
    expect(close).not.toHaveBeenCalled();
    expect(sessionStorage.getItem('oflink:returned')).toBeNull();
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
  });

  it('a redirect tab that another site opened (window.opener set) is still a redirect: returnTo kept, nothing relayed', () => {
    sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: 'r9', returnTo: '/back', at: Date.now() }));
    const opener = {
      postMessage: vi.fn(),
      get sessionStorage(): Storage {
        throw new DOMException('Blocked a frame with origin', 'SecurityError');
      },
    };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    visit('?status=success&connection_id=conn_9');
    expect(handleCallback(window, false)).toMatchObject({ returnTo: '/back', relayed: false });
    expect(sessionStorage.getItem(REDIRECT_KEY)).toBeNull();
    expect(opener.postMessage).not.toHaveBeenCalled();
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
  });

  it('ignores records dated in the future or older than their lifetime', () => {
    for (const at of [Date.now() + 10 * 60_000, Date.now() - 3 * 60 * 60_000]) {
      sessionStorage.setItem(POPUP_KEY, JSON.stringify({ id: 'f', nonce: 'n', at }));
      sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: 'f', returnTo: '/x', at }));
      visit('?status=cancelled');
      expect(handleCallback(window, false)).toMatchObject({ relayed: false, returnTo: null });
    }
  });

  it("never reads the attempt from its opener's storage: only the popup's own copy counts", () => {
    // a window opened by another site's frame in the app tab has the app tab as its opener's top
    const openerStorage = new Map([
      [POPUP_KEY, JSON.stringify({ id: 'mine', nonce: 'n-m', at: Date.now() - 1000 })],
    ]);
    const opener = {
      postMessage: vi.fn(),
      sessionStorage: { getItem: (k: string) => openerStorage.get(k) ?? null },
    };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    visit('?status=success&connection_id=conn_3');
    expect(handleCallback(window, false).relayed).toBe(false);
    expect(opener.postMessage).not.toHaveBeenCalled();
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
  });

  it('relays by postMessage alone where the engine has no BroadcastChannel', () => {
    sessionStorage.setItem(POPUP_KEY, JSON.stringify({ id: 'a9', nonce: 'n9', at: Date.now() }));
    const opener = { postMessage: vi.fn() };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    vi.stubGlobal('BroadcastChannel', undefined);
    visit('?status=cancelled&step=login');
    expect(handleCallback(window, false).relayed).toBe(true);
    expect(opener.postMessage).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'a9', nonce: 'n9' }),
      window.location.origin,
    );
    vi.unstubAllGlobals();
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
  });

  it('without any record returns the outcome and relays nothing', () => {
    visit('?status=error&error_code=account_locked');
    expect(handleCallback(window, false)).toMatchObject({
      outcome: { status: 'error', code: 'account_locked' },
      returnTo: null,
      relayed: false,
    });
  });
});

describe('parseRelay', () => {
  it('refuses an oversized or malformed connection id and drops a client reference the server would refuse', () => {
    const relay = (outcome: unknown) => ({ type: RELAY_TYPE, id: 'a', nonce: 'n', outcome });
    expect(parseRelay(relay({ status: 'success', connectionId: 'c'.repeat(10_000) }), 'a', 'n')).toBeNull();
    expect(parseRelay(relay({ status: 'success', connectionId: '<b>x</b>' }), 'a', 'n')).toBeNull();
    expect(
      parseRelay(relay({ status: 'success', connectionId: 'conn_1', clientReferenceId: 'a\nb' }), 'a', 'n'),
    ).toEqual({ status: 'success', connectionId: 'conn_1', confirmed: false });
  });

  const ok = {
    type: RELAY_TYPE,
    id: 'a',
    nonce: 'n',
    outcome: { status: 'success', connectionId: 'conn_1' },
  };
  it('accepts a relay for this attempt and marks success unconfirmed', () => {
    expect(parseRelay(ok, 'a', 'n')).toEqual({ status: 'success', connectionId: 'conn_1', confirmed: false });
  });
  it.each([
    { ...ok, nonce: 'x' },
    { ...ok, id: 'b' },
    { ...ok, type: 'OFAUTH_LINK' },
    { ...ok, outcome: null },
    { ...ok, outcome: { status: 'success' } },
    { ...ok, outcome: { status: 'error', code: 1 } },
    null,
    'x',
  ])('ignores %j', (data) => {
    expect(parseRelay(data, 'a', 'n')).toBeNull();
  });
  it('never throws and never yields an outcome without the exact id and nonce', () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom(RELAY_TYPE, 'X'),
          id: fc.constantFrom('a', 'b', ''),
          nonce: fc.oneof(fc.constantFrom('n', 'N', ''), fc.string()),
          outcome: fc.oneof(
            fc.anything(),
            fc.record({
              status: fc.constantFrom('success', 'cancelled', 'error'),
              connectionId: fc.string(),
            }),
          ),
        }),
        (data) => {
          const out = parseRelay(data, 'a', 'n');
          fuzz.relays++;
          if (out) {
            if (data.id !== 'a' || data.nonce !== 'n' || data.type !== RELAY_TYPE) fuzz.relayViolations++;
            expect(data.id).toBe('a');
            expect(data.nonce).toBe('n');
            expect(data.type).toBe(RELAY_TYPE);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
