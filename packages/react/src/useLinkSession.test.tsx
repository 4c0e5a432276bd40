import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import { type ReactNode, StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';
import { sessionQueryKey, useLinkSession } from './useLinkSession';

let server: Server;
let endpoint = '';
let hits = 0;
let failNext: { status: number; code: string } | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      if (failNext) {
        const { status, code } = failNext;
        failNext = null;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code, message: `failed with ${code}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(
        JSON.stringify({
          mode: 'hosted',
          url: `https://link.test/cs_${hits}`,
          expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/oflink/session`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function fakePopup() {
  const popup = {
    closed: false,
    close: vi.fn(() => {
      popup.closed = true;
    }),
    location: { replace: vi.fn() },
    document: { title: '', body: { textContent: '' } },
  };
  return popup;
}

/** Each popup opened, with the attempt record it got (the browser copies sessionStorage into it). */
let popups: (ReturnType<typeof fakePopup> & { attempt: { id: string; nonce: string } | null })[] = [];
let client: QueryClient;
beforeEach(() => {
  hits = 0;
  popups = [];
  client = new QueryClient();
  vi.spyOn(window, 'open').mockImplementation((() => {
    const attempt = JSON.parse(sessionStorage.getItem('oflink:popup') ?? 'null') as {
      id: string;
      nonce: string;
    } | null;
    const p = Object.assign(fakePopup(), { attempt });
    popups.push(p);
    return p;
  }) as unknown as typeof window.open);
});
afterEach(() => {
  cleanup();
  client.clear();
  vi.restoreAllMocks();
  sessionStorage.clear();
  localStorage.clear();
});

const wrap = (ui: ReactNode) => (
  <StrictMode>
    <QueryClientProvider client={client}>{ui}</QueryClientProvider>
  </StrictMode>
);

/** What the callback page in popup number `attemptIndex` relays (with that popup's copy of the record). */
function relayTo(attemptIndex: number, outcome: unknown) {
  const r = popups[attemptIndex]?.attempt;
  if (!r) throw new Error(`no attempt record in popup #${attemptIndex}`);
  act(() => {
    window.dispatchEvent(
      new MessageEvent('message', {
        data: { type: 'OFLINK_RELAY', id: r.id, nonce: r.nonce, outcome },
        origin: window.location.origin,
      }),
    );
  });
}

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
    failNext = { status: 403, code: 'forbidden_origin' };
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
