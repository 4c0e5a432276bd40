// What useLinkSession's tests share (not part of the package): a real session endpoint on 127.0.0.1,
// popups recorded with the attempt record each got, and the callback page's relay into one of them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { act } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, type Mock, vi } from 'vitest';
import { withQueryClient } from './buttonTestKit';

export { client, wrap } from './buttonTestKit';

let server: Server;
// live bindings: a test file reads them once the hooks ran
export let endpoint = '';
export let hits = 0;
let failNext: { status: number; code: string } | null = null;

/** The next session request fails with `status` and the error `code`. */
export function failNextRequest(status: number, code: string): void {
  failNext = { status, code };
}

/**
 * A session endpoint on a free port (it counts its requests), a fresh QueryClient and a `window.open`
 * that records each popup with the attempt record it got, around each test.
 */
export function withSessionEndpoint(): void {
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
  withQueryClient();
  eachTest();
}

/** A stand-in for a popup window. */
interface FakePopup {
  closed: boolean;
  close: Mock<() => void>;
  location: { replace: Mock<(url: string) => void> };
  document: { title: string; body: { textContent: string } };
}

function fakePopup(): FakePopup {
  const popup: FakePopup = {
    closed: false,
    close: vi.fn(() => {
      popup.closed = true;
    }),
    location: { replace: vi.fn<(url: string) => void>() },
    document: { title: '', body: { textContent: '' } },
  };
  return popup;
}

/** Each popup opened, with the attempt record it got (the browser copies sessionStorage into it). */
export let popups: (FakePopup & { attempt: { id: string; nonce: string } | null })[] = [];
function eachTest(): void {
  beforeEach(() => {
    hits = 0;
    popups = [];
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
}

/** What the callback page in popup number `attemptIndex` relays (with that popup's copy of the record). */
export function relayTo(attemptIndex: number, outcome: unknown) {
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
