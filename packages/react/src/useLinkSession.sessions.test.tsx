// useLinkSession's sessions and callbacks: the latest inline callback, never a stale or reused
// session, the server's error code, fetchSession.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';
import {
  client,
  endpoint,
  failNextRequest,
  hits,
  popups,
  relayTo,
  withSessionEndpoint,
  wrap,
} from './sessionTestKit';
import { sessionQueryKey } from './useLinkSession';

withSessionEndpoint();

describe('useLinkSession', () => {
  it('reads callbacks from a ref: the latest inline function is called and nothing restarts', async () => {
    const first = vi.fn();
    const latest = vi.fn();
    const { rerender } = render(wrap(<ConnectButton endpoint={endpoint} mode="popup" onSuccess={first} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('open'));
    rerender(wrap(<ConnectButton endpoint={endpoint} mode="popup" onSuccess={latest} />));
    relayTo(0, { status: 'success', connectionId: 'conn_1' });
    expect(first).not.toHaveBeenCalled();
    expect(latest).toHaveBeenCalledTimes(1);
    expect(window.open).toHaveBeenCalledTimes(1);
    expect(hits).toBe(1);
  });

  it('never opens a stale cached session: a fresh one is fetched at click time', async () => {
    client.setQueryData(sessionQueryKey({ endpoint }), {
      mode: 'hosted',
      url: 'https://link.test/cs_stale',
      expiresAt: new Date(Date.now() + 10_000).toISOString(),
    });
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(popups[0]?.location.replace).toHaveBeenCalled());
    expect(popups[0]?.location.replace).toHaveBeenCalledWith('https://link.test/cs_1');
    expect(hits).toBe(1);
  });

  it('uses a session once: after an outcome the next click requests a new one', async () => {
    render(wrap(<ConnectButton endpoint={endpoint} mode="popup" prefetch />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(hits).toBe(1));
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    relayTo(0, { status: 'cancelled', step: 'login' });
    expect(button.getAttribute('data-state')).toBe('idle');
    fireEvent.click(button);
    await waitFor(() => expect(popups[1]?.location.replace).toHaveBeenCalledWith('https://link.test/cs_2'));
    expect(hits).toBe(2);
  });

  it("reports the server's error code through onError, onExit and data-state", async () => {
    failNextRequest(403, 'forbidden_origin');
    const onError = vi.fn();
    const onExit = vi.fn();
    render(
      wrap(
        <ConnectButton endpoint={endpoint} mode="embed" embed={embed} onError={onError} onExit={onExit} />,
      ),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('error'));
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'LinkError', code: 'forbidden_origin', status: 403 }),
    );
    expect(onExit).toHaveBeenCalledWith({
      status: 'error',
      code: 'forbidden_origin',
      message: 'failed with forbidden_origin',
    });
  });

  it('uses fetchSession instead of the endpoint when given, with the params', async () => {
    const fetchSession = vi.fn(async () => ({
      mode: 'hosted' as const,
      url: 'https://link.test/cs_custom',
      expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    }));
    render(wrap(<ConnectButton fetchSession={fetchSession} connectionId="conn_9" mode="popup" />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() =>
      expect(popups[0]?.location.replace).toHaveBeenCalledWith('https://link.test/cs_custom'),
    );
    expect(fetchSession).toHaveBeenCalledWith(
      { connectionId: 'conn_9' },
      expect.objectContaining({ signal: expect.any(AbortSignal) }),
    );
    expect(hits).toBe(0);
  });
});
