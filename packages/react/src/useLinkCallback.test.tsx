import { cleanup, render, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type UseLinkCallbackOptions, type UseLinkCallbackResult, useLinkCallback } from './useLinkCallback';

function Page(props: { options?: UseLinkCallbackOptions; seen: UseLinkCallbackResult[] }) {
  const result = useLinkCallback(props.options);
  props.seen.push(result);
  return <p>{result.outcome?.status ?? 'reading'}</p>;
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  sessionStorage.clear();
  localStorage.clear();
  Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
});

describe('useLinkCallback', () => {
  it('under StrictMode parses once, strips the parameters, and returns the outcome and a safe returnTo', async () => {
    sessionStorage.setItem(
      'oflink:redirect',
      JSON.stringify({ id: 'a', returnTo: '/account', at: Date.now() }),
    );
    window.history.replaceState(
      null,
      '',
      '/callback?status=success&connection_id=conn_7&client_reference_id=u7',
    );
    const onResult = vi.fn();
    const seen: UseLinkCallbackResult[] = [];
    render(
      <StrictMode>
        <Page options={{ onResult }} seen={seen} />
      </StrictMode>,
    );
    await waitFor(() => expect(seen.at(-1)?.outcome).not.toBeNull());
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(seen.at(-1)).toEqual({
      outcome: { status: 'success', connectionId: 'conn_7', clientReferenceId: 'u7', confirmed: false },
      returnTo: '/account',
      relayed: false,
      confirming: false,
    });
    expect(window.location.search).toBe('');
  });

  it('with confirm, a redirect success is confirmed here first and saved confirmed for the page at returnTo and the button that started it', async () => {
    const starter = '["/api/oflink/session",null,"redirect"]';
    sessionStorage.setItem(
      'oflink:redirect',
      JSON.stringify({ id: 'r1', returnTo: '/account', starter, at: Date.now() }),
    );
    window.history.replaceState(null, '', '/callback?status=success&connection_id=conn_8');
    const fetch = vi.fn(async () => new Response('{"connection":{"id":"conn_8"}}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const seen: UseLinkCallbackResult[] = [];
    render(
      <StrictMode>
        <Page options={{ confirm: '/api/oflink/confirm' }} seen={seen} />
      </StrictMode>,
    );
    await waitFor(() => expect(seen.at(-1)?.outcome).not.toBeNull());
    expect(seen.some((r) => r.confirming && r.outcome === null)).toBe(true);
    expect(seen.at(-1)).toMatchObject({
      outcome: { connectionId: 'conn_8', confirmed: true },
      returnTo: '/account',
      confirming: false,
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(JSON.parse(sessionStorage.getItem('oflink:returned') ?? '{}')).toMatchObject({
      id: 'r1',
      outcome: { confirmed: true },
      returnTo: '/account',
      starter,
    });
    vi.unstubAllGlobals();
  });

  it('with confirm, a refused success is shown as the error the server gave', async () => {
    sessionStorage.setItem('oflink:redirect', JSON.stringify({ id: 'r2', returnTo: '/', at: Date.now() }));
    window.history.replaceState(null, '', '/callback?status=success&connection_id=conn_9');
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response('{"error":{"code":"connection_not_owned","message":"Not yours."}}', { status: 403 }),
      ),
    );
    const seen: UseLinkCallbackResult[] = [];
    render(<Page options={{ confirm: '/api/oflink/confirm' }} seen={seen} />);
    await waitFor(() =>
      expect(seen.at(-1)?.outcome).toMatchObject({ status: 'error', code: 'connection_not_owned' }),
    );
    vi.unstubAllGlobals();
  });

  it('starts with a null outcome (what the server renders)', () => {
    window.history.replaceState(null, '', '/callback?status=cancelled');
    const seen: UseLinkCallbackResult[] = [];
    render(<Page seen={seen} />);
    expect(seen[0]).toEqual({ outcome: null, returnTo: null, relayed: false, confirming: false });
  });

  it('in a popup relays exactly once to the opener under StrictMode, then closes the window', async () => {
    sessionStorage.setItem('oflink:popup', JSON.stringify({ id: 'p1', nonce: 'n1', at: Date.now() }));
    const opener = { postMessage: vi.fn() };
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    window.history.replaceState(null, '', '/callback?status=cancelled&step=login');
    const seen: UseLinkCallbackResult[] = [];
    render(
      <StrictMode>
        <Page seen={seen} />
      </StrictMode>,
    );
    await waitFor(() => expect(seen.at(-1)?.relayed).toBe(true));
    expect(opener.postMessage).toHaveBeenCalledTimes(1);
    expect(opener.postMessage).toHaveBeenCalledWith(
      {
        type: 'OFLINK_RELAY',
        id: 'p1',
        nonce: 'n1',
        outcome: { status: 'cancelled', step: 'login', reason: 'user' },
      },
      window.location.origin,
    );
    await waitFor(() => expect(close).toHaveBeenCalledTimes(1));
  });

  it('turns a malformed callback into invalid_callback', async () => {
    window.history.replaceState(null, '', '/callback?status=success');
    const seen: UseLinkCallbackResult[] = [];
    render(<Page seen={seen} />);
    await waitFor(() =>
      expect(seen.at(-1)?.outcome).toMatchObject({ status: 'error', code: 'invalid_callback' }),
    );
  });

  it.each([
    [{ onResult: 'log' }, 'onResult must be a function.'],
    [{ closePopup: 'no' }, 'closePopup must be a boolean.'],
  ])(
    'throws a typed invalid_options error for %o (never a silent no-op or a TypeError later)',
    (options, detail) => {
      window.history.replaceState(null, '', '/callback?status=cancelled');
      vi.spyOn(console, 'error').mockImplementation(() => {});
      expect(() => render(<Page options={options as never} seen={[]} />)).toThrow(
        expect.objectContaining({
          name: 'LinkError',
          code: 'invalid_options',
          message: `Invalid oflink options: ${detail}`,
        }),
      );
      // nothing was read or stripped
      expect(window.location.search).toBe('?status=cancelled');
    },
  );
});
