// Browser leak check: mounting, opening and unmounting a ConnectButton mid-flow fifty times
// leaves no listener, timer, interval, BroadcastChannel or DOM node behind.
// Instrumentation wraps the globals the engine uses; the counts are written as figures for the run's table.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { version as reactVersion, StrictMode } from 'react';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';
import type { UseLinkSessionOptions } from './useLinkSession';

// enough to find a leak: one listener, timer or node left per cycle leaves fifty
const ITERATIONS = 50;

/** Sessions come from `fetchSession` (no network): each cycle gets a fresh one, as from a real endpoint. */
const fetchSession = async () => ({
  mode: 'hosted' as const,
  url: `https://link.test/cs_${Math.random().toString(36).slice(2)}`,
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});

/** Counts what is live: listeners per (target, type, fn, capture), timers, intervals, channels. */
function instrument() {
  const listeners = new Set<string>();
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (o: object) => {
    let id = ids.get(o);
    if (id === undefined) {
      id = nextId++;
      ids.set(o, id);
    }
    return id;
  };
  const key = (target: object, type: string, fn: unknown, options: unknown) => {
    const capture =
      typeof options === 'boolean' ? options : Boolean((options as { capture?: boolean })?.capture);
    return `${idOf(target)}:${type}:${typeof fn === 'object' || typeof fn === 'function' ? idOf(fn as object) : 'x'}:${capture}`;
  };
  const targets = [window, document] as const;
  const restores: (() => void)[] = [];
  for (const target of targets) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    vi.spyOn(target, 'addEventListener').mockImplementation(((type: string, fn: never, options?: never) => {
      if (fn) listeners.add(key(target, type, fn, options));
      add(type, fn, options);
    }) as never);
    vi.spyOn(target, 'removeEventListener').mockImplementation(((
      type: string,
      fn: never,
      options?: never,
    ) => {
      if (fn) listeners.delete(key(target, type, fn, options));
      remove(type, fn, options);
    }) as never);
  }
  const timers = new Set<unknown>();
  const intervals = new Set<unknown>();
  const realSetTimeout = window.setTimeout.bind(window);
  const realClearTimeout = window.clearTimeout.bind(window);
  const realSetInterval = window.setInterval.bind(window);
  const realClearInterval = window.clearInterval.bind(window);
  vi.spyOn(window, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...rest: unknown[]) => {
    const id = realSetTimeout(
      (...a: unknown[]) => {
        timers.delete(id);
        (fn as (...x: unknown[]) => void)(...a);
      },
      ms,
      ...rest,
    );
    timers.add(id);
    return id;
  }) as never);
  vi.spyOn(window, 'clearTimeout').mockImplementation(((id: number) => {
    timers.delete(id);
    realClearTimeout(id);
  }) as never);
  vi.spyOn(window, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
    const id = realSetInterval(fn, ms);
    intervals.add(id);
    return id;
  }) as never);
  vi.spyOn(window, 'clearInterval').mockImplementation(((id: number) => {
    intervals.delete(id);
    realClearInterval(id);
  }) as never);

  const channels = new Set<object>();
  const Real = globalThis.BroadcastChannel;
  class Counted extends Real {
    constructor(name: string) {
      super(name);
      channels.add(this);
    }
    override close() {
      channels.delete(this);
      super.close();
    }
  }
  globalThis.BroadcastChannel = Counted;
  restores.push(() => {
    globalThis.BroadcastChannel = Real;
  });

  return {
    snapshot: () => ({
      listeners: listeners.size,
      timers: timers.size,
      intervals: intervals.size,
      channels: channels.size,
      nodes: document.body.querySelectorAll('*').length,
    }),
    restore: () => {
      for (const r of restores) r();
      vi.restoreAllMocks();
    },
  };
}

function fakePopup() {
  const popup = {
    closed: false,
    close: () => {
      popup.closed = true;
    },
    location: { replace: () => {} },
    document: { title: '', body: { textContent: '' } },
  };
  return popup;
}

const figures: { area: string; measure: string; value: number; goal: string }[] = [];
afterAll(() => writeFigures(`react-leaks-${reactVersion.split('.')[0]}`, figures));

let probe: ReturnType<typeof instrument> | null = null;
afterEach(() => {
  probe?.restore();
  probe = null;
  sessionStorage.clear();
  localStorage.clear();
});

async function cycle(client: QueryClient, options: UseLinkSessionOptions) {
  let opened = false;
  let markOpened = () => {};
  const openedNow = new Promise<void>((resolve) => {
    markOpened = resolve;
  });
  const view = render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <ConnectButton
          fetchSession={fetchSession}
          prefetch={false}
          {...options}
          onEvent={(e) => {
            if (e.type === 'opened') {
              opened = true;
              markOpened();
            }
          }}
        />
      </QueryClientProvider>
    </StrictMode>,
  );
  fireEvent.click(screen.getByRole('button'));
  // the attempt is really mid-flow (window navigated or iframe mounted, listeners on) before unmounting
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  await act(() => Promise.race([openedNow, new Promise((resolve) => (giveUp = setTimeout(resolve, 5000)))]));
  clearTimeout(giveUp);
  view.unmount();
  view.container.remove(); // Testing Library's own container, not ours
  return opened;
}

describe(`mounting and unmounting mid-flow ${ITERATIONS} times`, () => {
  it.each([
    ['popup', { mode: 'popup' }],
    ['embed', { mode: 'embed', embed }],
  ] as const)(
    'in %s mode leaves no listener, timer, BroadcastChannel or DOM node behind',
    async (label, options) => {
      vi.spyOn(window, 'open').mockImplementation((() => fakePopup()) as unknown as typeof window.open);
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const client = new QueryClient();
      // one warm-up cycle so React's and react-query's own one-time listeners are counted in the baseline
      await cycle(client, options);
      probe = instrument();
      vi.spyOn(window, 'open').mockImplementation((() => fakePopup()) as unknown as typeof window.open);
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const before = probe.snapshot();
      let opened = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        if (await cycle(client, options)) opened++;
      }
      // let already-due zero-delay tasks run (jsdom queues one per storage write to fire `storage` events)
      await new Promise((resolve) => setTimeout(resolve, 20));
      const after = probe.snapshot();
      client.clear();
      // every cycle really opened its window or iframe before unmounting: the check is mid-flow
      expect(opened).toBe(ITERATIONS);
      const growth = {
        listeners: after.listeners - before.listeners,
        timers: after.timers - before.timers,
        intervals: after.intervals - before.intervals,
        channels: after.channels - before.channels,
        nodes: after.nodes - before.nodes,
      };
      for (const [what, value] of Object.entries(growth))
        figures.push({
          area: `react ${reactVersion.split('.')[0]} leaks`,
          measure: `${label}: ${what} left after ${ITERATIONS} mid-flow unmounts`,
          value,
          goal: '0',
        });
      expect(growth).toEqual({ listeners: 0, timers: 0, intervals: 0, channels: 0, nodes: 0 });
    },
    600_000,
  );
});
