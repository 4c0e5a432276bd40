// Test helpers shared by the controller's test files (not part of the package).
import { type Mock, vi } from 'vitest';
import type { SessionSource } from './sessionSource';
import type { LinkSession } from './types';

export const SESSION_ORIGIN = 'https://link.test';
export const fresh = (id = 'cs_1'): LinkSession => ({
  mode: 'hosted',
  url: `${SESSION_ORIGIN}/${id}`,
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});

/** An in-memory session source whose requests resolve when the test says so. */
export function manualSource() {
  let cached: LinkSession | undefined;
  const pending: { resolve: (s: LinkSession) => void; reject: (e: unknown) => void }[] = [];
  let requests = 0;
  const source: SessionSource = {
    peek: () => cached,
    get: () => {
      if (cached) return Promise.resolve(cached);
      requests++;
      return new Promise<LinkSession>((resolve, reject) => pending.push({ resolve, reject }));
    },
    discard: () => {
      cached = undefined;
    },
  };
  return {
    source,
    get requests() {
      return requests;
    },
    prime(s: LinkSession) {
      cached = s;
    },
    async resolve(s: LinkSession = fresh()) {
      cached = s;
      pending.shift()?.resolve(s);
      await flush();
    },
    async reject(e: unknown) {
      pending.shift()?.reject(e);
      await flush();
    },
  };
}

export const flush = () => new Promise<void>((r) => setTimeout(r, 0));

/** A stand-in for the popup window a controller opens. */
export interface FakePopup {
  closed: boolean;
  close: Mock<() => void>;
  location: { replace: Mock<(url: string) => void> };
  document: { title: string; body: { textContent: string } };
}

export function fakePopup(): FakePopup {
  const popup = {
    closed: false,
    close: vi.fn<() => void>(() => {
      popup.closed = true;
    }),
    location: { replace: vi.fn<(url: string) => void>() },
    document: { title: '', body: { textContent: '' } },
  };
  return popup;
}
