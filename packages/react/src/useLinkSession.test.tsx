// useLinkSession: one request and one window per click, prefetch, several buttons, unmounting.
import { fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { client, endpoint, hits, popups, relayTo, withSessionEndpoint, wrap } from './sessionTestKit';
import { sessionQueryKey, useLinkSession } from './useLinkSession';

withSessionEndpoint();

describe('useLinkSession', () => {
  it('outside any QueryClientProvider and without queryClient, fails with an error that names the fix', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useLinkSession())).toThrowError(/QueryClientProvider.*queryClient/);
  });

  it('works outside a provider when given a queryClient', () => {
    const { result } = renderHook(() => useLinkSession({ queryClient: client }));
    expect(result.current.status).toBe('idle');
    expect(typeof result.current.open).toBe('function');
  });

  it('returns stable actions across renders', () => {
    const { result, rerender } = renderHook(() =>
      useLinkSession({ queryClient: client, onSuccess: () => {} }),
    );
    const { open, close, reset } = result.current;
    rerender();
    expect(result.current.open).toBe(open);
    expect(result.current.close).toBe(close);
    expect(result.current.reset).toBe(reset);
  });

  it('under StrictMode with prefetch: true makes one request, and a click opens one window with that session', async () => {
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" prefetch />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('idle'));
    await waitFor(() => expect(client.getQueryData(sessionQueryKey({ endpoint }))).toBeTruthy());
    expect(hits).toBe(1);
    fireEvent.click(button);
    expect(window.open).toHaveBeenCalledTimes(1);
    // the cached session: the window opens directly at its URL
    expect(vi.mocked(window.open).mock.calls[0]?.[0]).toBe('https://link.test/cs_1');
    expect(popups[0]?.location.replace).not.toHaveBeenCalled();
    expect(hits).toBe(1);
  });

  it('prefetches on hover and focus with one request, so the click opens instantly', async () => {
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" />));
    const button = screen.getByRole('button');
    expect(hits).toBe(0);
    fireEvent.pointerEnter(button);
    fireEvent.focus(button);
    fireEvent.pointerEnter(button);
    await waitFor(() => expect(client.getQueryData(sessionQueryKey({ endpoint }))).toBeTruthy());
    expect(hits).toBe(1);
    fireEvent.click(button);
    expect(vi.mocked(window.open).mock.calls[0]?.[0]).toBe('https://link.test/cs_1');
    expect(button.getAttribute('data-state')).toBe('open');
  });

  it('a click while the hover prefetch is in flight joins that request: one request, one window', async () => {
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.pointerEnter(button);
    expect(client.getQueryState(sessionQueryKey({ endpoint }))?.fetchStatus).toBe('fetching');
    fireEvent.click(button);
    await waitFor(() => expect(popups[0]?.location.replace).toHaveBeenCalledWith('https://link.test/cs_1'));
    await new Promise((r) => setTimeout(r, 50));
    expect(hits).toBe(1);
    expect(window.open).toHaveBeenCalledTimes(1);
  });

  it('with prefetch: false, hover and focus fetch nothing; the click does', async () => {
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" prefetch={false} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.pointerEnter(button);
    fireEvent.focus(button);
    await new Promise((r) => setTimeout(r, 50));
    expect(hits).toBe(0);
    fireEvent.click(button);
    await waitFor(() => expect(popups[0]?.location.replace).toHaveBeenCalledWith('https://link.test/cs_1'));
    expect(hits).toBe(1);
  });

  it('a double click opens one window and makes one request', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" prefetch={false} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('open'));
    expect(window.open).toHaveBeenCalledTimes(1);
    expect(hits).toBe(1);
  });

  it('several buttons on one page each get their own window and their own outcome', async () => {
    const a = vi.fn();
    const b = vi.fn();
    render(
      wrap(
        <>
          <ConnectButton endpoint={endpoint} mode="popup" prefetch={false} onSuccess={a}>
            A
          </ConnectButton>
          <ConnectButton
            endpoint={endpoint}
            mode="popup"
            prefetch={false}
            connectionId="conn_old"
            onSuccess={b}
          >
            B
          </ConnectButton>
        </>,
      ),
    );
    const [buttonA, buttonB] = screen.getAllByRole('button') as [HTMLElement, HTMLElement];
    await waitFor(() => expect(buttonA.hasAttribute('disabled')).toBe(false));
    fireEvent.click(buttonA);
    fireEvent.click(buttonB);
    await waitFor(() => expect(buttonB.getAttribute('data-state')).toBe('open'));
    await waitFor(() => expect(buttonA.getAttribute('data-state')).toBe('open'));
    expect(window.open).toHaveBeenCalledTimes(2);
    relayTo(1, { status: 'success', connectionId: 'conn_b' });
    expect(b).toHaveBeenCalledWith(expect.objectContaining({ connectionId: 'conn_b' }));
    expect(a).not.toHaveBeenCalled();
    expect(buttonA.getAttribute('data-state')).toBe('open');
    expect(buttonB.getAttribute('data-state')).toBe('success');
  });

  it('unmounting mid-flow closes the popup, and a late relay changes nothing and sets no state', async () => {
    const onSuccess = vi.fn();
    const errors = vi.spyOn(console, 'error');
    const { unmount } = render(
      wrap(<ConnectButton endpoint={endpoint} mode="popup" onSuccess={onSuccess} />),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('open'));
    const record = popups[0]?.attempt as { id: string; nonce: string };
    expect(record.nonce).toBeTruthy();
    unmount();
    expect(popups[0]?.close).toHaveBeenCalled();
    expect(sessionStorage.getItem('oflink:popup')).toBeNull();
    window.dispatchEvent(
      new MessageEvent('message', {
        data: { type: 'OFLINK_RELAY', ...record, outcome: { status: 'success', connectionId: 'conn_late' } },
        origin: window.location.origin,
      }),
    );
    expect(onSuccess).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
  });
});
