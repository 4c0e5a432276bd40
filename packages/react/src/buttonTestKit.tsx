// What ConnectButton's tests share (not part of the package): a fresh QueryClient per test, the
// StrictMode wrapper, sessions answered at once or when the test says, and a message from the modal.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup } from '@testing-library/react';
import type { ReactNode } from 'react';
import { StrictMode } from 'react';
import { afterEach, beforeEach, vi } from 'vitest';

export const SESSION = () => ({
  mode: 'hosted' as const,
  url: 'https://link.test/cs_btn',
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});

/** A `fetchSession` that answers a fresh session at once. */
export function SESSION_FN() {
  return Promise.resolve(SESSION());
}

// a live binding: a new client before each test
export let client: QueryClient;

/** A fresh QueryClient before each test; after it, the page, the client, mocks and storage cleared. */
export function withQueryClient(): void {
  beforeEach(() => {
    client = new QueryClient();
  });
  afterEach(() => {
    cleanup();
    client.clear();
    vi.restoreAllMocks();
    sessionStorage.clear();
    localStorage.clear();
  });
}

/** `ui` under StrictMode and the test's QueryClient. */
export const wrap = (ui: ReactNode) => (
  <StrictMode>
    <QueryClientProvider client={client}>{ui}</QueryClientProvider>
  </StrictMode>
);

/** A `fetchSession` whose session arrives when the test calls `resolve`. */
export function deferredSession() {
  let resolve: () => void = () => {};
  const fetchSession = vi.fn(
    () =>
      new Promise<ReturnType<typeof SESSION>>((r) => {
        resolve = () => r(SESSION());
      }),
  );
  return { fetchSession, resolve: () => act(async () => resolve()) };
}

/** A message from the embedded page's iframe, from its origin. */
export function postFromFrame(data: unknown) {
  const frame = document.querySelector('iframe') as HTMLIFrameElement;
  act(() => {
    window.dispatchEvent(
      new MessageEvent('message', { data, origin: 'https://link.test', source: frame.contentWindow }),
    );
  });
}
