import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import { type ReactNode, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { useConnections } from './useConnections';

/** The app server's connections endpoint, as the test sets it up. */
let stored: { id: string; status: string; userData: { username: string } | null }[] = [];
let listHits = 0;
let failList: { status: number; code: string } | null = null;
let failDelete: { status: number; code: string } | null = null;
let holdDelete: Promise<void> | null = null;
let base = '';
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const fail = (f: { status: number; code: string }) =>
        send(f.status, { error: { code: f.code, message: `failed: ${f.code}` } });
      if (req.url === '/api/oflink/session') {
        return send(200, {
          mode: 'hosted',
          url: 'https://link.test/s/cs_1',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
      }
      if (req.method === 'GET') {
        listHits++;
        return failList ? fail(failList) : send(200, { connections: stored });
      }
      const id = decodeURIComponent(req.url!.split('/').pop()!);
      await holdDelete;
      if (failDelete) return fail(failDelete);
      stored = stored.filter((c) => c.id !== id);
      return send(200, { disconnected: id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let client: QueryClient;
beforeEach(() => {
  client = new QueryClient({ defaultOptions: { queries: { retryDelay: 1 } } });
  stored = [
    { id: 'conn_active', status: 'active', userData: { username: 'ada' } },
    { id: 'conn_expired', status: 'expired', userData: { username: 'eve' } },
    { id: 'conn_code', status: 'awaiting_2fa', userData: null },
  ];
  listHits = 0;
  failList = failDelete = null;
  holdDelete = null;
});
afterEach(() => {
  cleanup();
  client.clear();
  vi.restoreAllMocks();
  sessionStorage.clear();
});

const wrapper = ({ children }: { children: ReactNode }) => (
  <StrictMode>
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  </StrictMode>
);
const endpoint = () => `${base}/api/oflink/connections`;

function ListWithReconnect() {
  const { connections } = useConnections({ endpoint: endpoint() });
  return (
    <>
      <ul>
        {connections.map((c) => (
          <li key={c.id}>{c.id}</li>
        ))}
      </ul>
      <ConnectButton mode="popup" endpoint={`${base}/api/oflink/session`} connectionId="conn_expired">
        Reconnect
      </ConnectButton>
    </>
  );
}

function ListStatus() {
  const { status, connections } = useConnections({ endpoint: endpoint() });
  return <p>{`${status}:${connections.length}`}</p>;
}

describe('useConnections', () => {
  it('lists the connections with needsReconnect for expired and awaiting_2fa', async () => {
    const { result } = renderHook(() => useConnections({ endpoint: endpoint() }), { wrapper });
    expect(result.current.status).toBe('pending');
    await waitFor(() => expect(result.current.status).toBe('success'));
    expect(result.current.connections.map((c) => [c.id, c.needsReconnect, c.disconnecting])).toEqual([
      ['conn_active', false, false],
      ['conn_expired', true, false],
      ['conn_code', true, false],
    ]);
  });

  it("an endpoint's refusal is a typed error, not retried when it is the client's (4xx)", async () => {
    failList = { status: 401, code: 'unauthenticated' };
    const { result } = renderHook(() => useConnections({ endpoint: endpoint() }), { wrapper });
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error).toMatchObject({ name: 'LinkError', code: 'unauthenticated', status: 401 });
    expect(listHits).toBe(1);
  });

  it('a failing store (503) is retried, then reported', async () => {
    const { result } = renderHook(() => useConnections({ endpoint: endpoint() }), { wrapper });
    await waitFor(() => expect(result.current.status).toBe('success'));
    failList = { status: 503, code: 'store_unavailable' };
    await act(() => result.current.refresh());
    await waitFor(() => expect(result.current.error?.code).toBe('store_unavailable'));
    expect(listHits).toBeGreaterThanOrEqual(3);
    // the last good list is kept
    expect(result.current.connections).toHaveLength(3);
  });

  it('an answer without { connections } is connections_request_failed', async () => {
    stored = 'nope' as never;
    const { result } = renderHook(() => useConnections({ endpoint: endpoint() }), { wrapper });
    await waitFor(() => expect(result.current.error?.code).toBe('connections_request_failed'));
  });

  it('disconnect marks the connection at once, then removes it when the server answered', async () => {
    const { result } = renderHook(() => useConnections({ endpoint: endpoint() }), { wrapper });
    await waitFor(() => expect(result.current.status).toBe('success'));
    let release = () => {};
    holdDelete = new Promise((resolve) => {
      release = resolve;
    });
    let done: Promise<boolean> = Promise.resolve(false);
    act(() => {
      done = result.current.disconnect('conn_active');
    });
    await waitFor(() =>
      expect(result.current.connections.find((c) => c.id === 'conn_active')?.disconnecting).toBe(true),
    );
    release();
    expect(await done).toBe(true);
    await waitFor(() =>
      expect(result.current.connections.map((c) => c.id)).toEqual(['conn_expired', 'conn_code']),
    );
    expect(result.current.disconnectError).toBeNull();
  });

  it('a failed disconnect rolls the mark back, resolves false and reports the typed error', async () => {
    const onError = vi.fn();
    const { result } = renderHook(() => useConnections({ endpoint: endpoint(), onError }), { wrapper });
    await waitFor(() => expect(result.current.status).toBe('success'));
    failDelete = { status: 403, code: 'connection_not_owned' };
    let ok = true;
    await act(async () => {
      ok = await result.current.disconnect('conn_active');
    });
    expect(ok).toBe(false);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'connection_not_owned', status: 403 }),
    );
    await waitFor(() => expect(result.current.disconnectError?.code).toBe('connection_not_owned'));
    expect(result.current.connections.find((c) => c.id === 'conn_active')).toMatchObject({
      disconnecting: false,
    });
  });

  it('an unreachable endpoint is a network_error', async () => {
    const { result } = renderHook(() => useConnections({ endpoint: 'http://127.0.0.1:9/none' }), { wrapper });
    await waitFor(() => expect(result.current.error?.code).toBe('network_error'), { timeout: 20_000 });
  });

  it('a successful connect refreshes the list', async () => {
    // the popup's copy of the tab's sessionStorage, taken when it opens
    let copied = 'null';
    vi.spyOn(window, 'open').mockImplementation((() => {
      copied = sessionStorage.getItem('oflink:popup') ?? 'null';
      return {
        closed: false,
        close() {},
        location: { replace() {} },
        document: { title: '', body: { textContent: '' } },
      };
    }) as unknown as typeof window.open);
    render(<ListWithReconnect />, { wrapper });
    await screen.findByText('conn_active');
    const before = listHits;
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(window.open).toHaveBeenCalled());
    const record = JSON.parse(copied) as { id: string; nonce: string };
    stored = [{ id: 'conn_expired', status: 'active', userData: { username: 'eve' } }];
    act(() => {
      window.dispatchEvent(
        new MessageEvent('message', {
          data: {
            type: 'OFLINK_RELAY',
            id: record.id,
            nonce: record.nonce,
            outcome: { status: 'success', connectionId: 'conn_expired' },
          },
          origin: window.location.origin,
        }),
      );
    });
    await waitFor(() => expect(screen.queryByText('conn_active')).toBeNull());
    expect(listHits).toBeGreaterThan(before);
  });

  it('renders on the server without fetching', () => {
    const html = renderToString(
      <QueryClientProvider client={client}>
        <ListStatus />
      </QueryClientProvider>,
    );
    expect(html).toContain('pending:0');
    expect(listHits).toBe(0);
  });

  it('outside any QueryClientProvider, fails with an error that names the fix', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useConnections())).toThrowError(/QueryClientProvider/);
  });
});
