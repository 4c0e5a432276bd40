// Measures 4 and 5 in jsdom (a node script, no test runner), run as a child process by run.ts because
// it installs browser globals and instruments them. Prints one JSON line: the rows.
//   4. React Profiler commits of ConnectButton over hover → click → open → success (popup mode).
//   5. Listeners, timers, BroadcastChannels, DOM nodes and popups left after unmounting mid-flow.
import type { Row } from './common';

import { type Counts, live, ORIGIN, popups, w } from './domGlobals';

// ------------------------------------------------------------------ React, after the globals exist
const React = await import('react');
const { createRoot } = await import('react-dom/client');
const { QueryClient, QueryClientProvider } = await import('@tanstack/react-query');
const { ConnectButton } = await import('@oflink/react');
const { embed } = await import('@oflink/react/embed');
type Props = import('@oflink/react').ConnectButtonProps;
const { act, createElement: h, Profiler } = React;

const session = (id: string) => ({
  mode: 'hosted' as const,
  url: `https://link.test/cs_${id}`,
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});
const tick = () => new Promise<void>((r) => setTimeout(r, 0));
const client = new QueryClient();

async function mount(props: Props, onRender?: () => void) {
  const container = w.document.createElement('div');
  w.document.body.appendChild(container);
  const root = createRoot(container);
  const button = h(ConnectButton, props);
  await act(async () => {
    root.render(
      h(
        QueryClientProvider,
        { client },
        onRender ? h(Profiler, { id: 'ConnectButton', onRender }, button) : button,
      ),
    );
  });
  const el = container.querySelector('button');
  if (!el) throw new Error('ConnectButton rendered no button');
  return {
    el,
    async unmount() {
      await act(async () => root.unmount());
      container.remove();
    },
  };
}

async function hover(el: HTMLElement) {
  const Ctor = w.PointerEvent ?? w.MouseEvent;
  await act(async () => {
    el.dispatchEvent(new Ctor('pointerover', { bubbles: true, relatedTarget: null }));
  });
  await act(async () => tick());
}

async function click(el: HTMLElement) {
  await act(async () => {
    el.click();
  });
}

/** The relay the callback page posts: `{type, id, nonce, outcome}` from this origin. */
async function relaySuccess(connectionId: string) {
  // the attempt record the popup got: a copy of this tab's sessionStorage
  const stored = w.sessionStorage.getItem('oflink:popup');
  if (!stored) throw new Error('no pending attempt record: the popup flow did not start');
  const record = JSON.parse(stored) as { id: string; nonce: string };
  await act(async () => {
    w.dispatchEvent(
      new w.MessageEvent('message', {
        origin: ORIGIN,
        data: {
          type: 'OFLINK_RELAY',
          id: record.id,
          nonce: record.nonce,
          outcome: { status: 'success', connectionId },
        },
      }),
    );
  });
}

// ------------------------------------------------------------------ 4. renders
async function renders(): Promise<Row> {
  let commits = 0;
  const phases: string[] = [];
  let succeeded = 0;
  const { el, unmount } = await mount(
    {
      mode: 'popup',
      fetchSession: async () => session('renders'),
      onSuccess: () => {
        succeeded++;
      },
    },
    () => {
      commits++;
    },
  );
  phases.push(`mount ${commits}`);
  await hover(el);
  phases.push(`hover ${commits}`);
  await click(el);
  phases.push(`click+open ${commits}`);
  const opened = el.getAttribute('data-state');
  await relaySuccess('conn_renders');
  phases.push(`success ${commits}`);
  const state = el.getAttribute('data-state');
  await unmount();
  client.clear();
  if (succeeded !== 1 || state !== 'success' || opened !== 'open')
    throw new Error(
      `the renders flow did not complete (opened ${opened}, final ${state}, onSuccess ×${succeeded})`,
    );
  return rendersRow(commits, phases);
}

/** The renders row: the commits in all, and after each phase. */
function rendersRow(commits: number, phases: string[]): Row {
  return {
    area: 'renders',
    measure: 'ConnectButton Profiler commits, mount → hover → click → open → success',
    goal: '≤ 4',
    measured: commits,
    baseline: null,
    ratio: null,
    met: commits <= 4,
    unit: 'count',
    note: `cumulative: ${phases.join(', ')}; jsdom, React development build, popup mode`,
  };
}

// ------------------------------------------------------------------ 5. leaks
function deferred() {
  const pending: (() => void)[] = [];
  const fetchSession = (_p: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise<ReturnType<typeof session>>((resolve) => {
      // resolved after the unmount: a late session must not revive anything (the signal is ignored on purpose)
      void signal;
      pending.push(() => resolve(session('late')));
    });
  const resolveAll = () => {
    for (const resolve of pending.splice(0)) resolve();
  };
  return { fetchSession, resolveAll };
}

interface Scenario {
  name: string;
  runs: number;
  /** Mounts, drives the flow to its mid point, returns the unmount. */
  drive(): Promise<() => Promise<void>>;
  after?: () => void;
}

const slow = deferred();
const RUNS = Number(process.env.BENCH_LEAK_RUNS ?? 50);
const scenarios: Scenario[] = [
  {
    name: 'popup, unmounted while the session loads',
    runs: RUNS,
    async drive() {
      const m = await mount({ mode: 'popup', prefetch: false, fetchSession: slow.fetchSession });
      await click(m.el);
      return m.unmount;
    },
    after: () => slow.resolveAll(),
  },
  {
    name: 'hover prefetch in flight, unmounted',
    runs: RUNS,
    async drive() {
      const m = await mount({ mode: 'popup', fetchSession: slow.fetchSession });
      await hover(m.el);
      return m.unmount;
    },
    after: () => slow.resolveAll(),
  },
  {
    name: 'popup open (relay listeners, close poll), unmounted',
    runs: RUNS,
    async drive() {
      const m = await mount({ mode: 'popup', fetchSession: async () => session('open') });
      await hover(m.el);
      await click(m.el);
      if (m.el.getAttribute('data-state') !== 'open') throw new Error('the popup did not open');
      return m.unmount;
    },
  },
  {
    name: 'popup closed by the person, unmounted during the close grace',
    runs: 5,
    async drive() {
      const m = await mount({
        mode: 'popup',
        fetchSession: async () => session('grace'),
        popupCloseGraceMs: 60_000,
      });
      await click(m.el);
      await act(() => new Promise<void>((r) => setTimeout(r, 350))); // the 300 ms poll sees it live
      const popup = popups.at(-1);
      if (popup) popup.closed = true;
      await act(() => new Promise<void>((r) => setTimeout(r, 350))); // …then closed: the grace timer runs
      return m.unmount;
    },
  },
  {
    name: 'popup handle severed by COOP (waiting for focus), unmounted',
    runs: 5,
    async drive() {
      const m = await mount({ mode: 'popup', fetchSession: async () => session('coop') });
      await click(m.el);
      const popup = popups.at(-1);
      if (popup) popup.closed = true; // reads closed before it was ever seen live
      await act(() => new Promise<void>((r) => setTimeout(r, 350)));
      return m.unmount;
    },
  },
  {
    name: 'embed modal open (iframe, focus trap), unmounted',
    runs: RUNS,
    async drive() {
      const m = await mount({ mode: 'embed', embed, fetchSession: async () => session('embed') });
      await click(m.el);
      await act(async () => tick());
      if (!w.document.querySelector('iframe')) throw new Error('the embed modal did not mount');
      return m.unmount;
    },
  },
];

const zero = (): Counts => ({ listeners: 0, timers: 0, channels: 0, nodes: 0, popups: 0 });
const kinds = (c: Counts) => Object.keys(c) as (keyof Counts)[];

/** One scenario's mount/unmount cycles: the most live at once mid-flow, and what was left after. */
async function scenarioCounts(s: Scenario): Promise<{ peak: Counts; left: Counts }> {
  await act(async () => tick());
  const before = live();
  const peak = zero();
  for (let i = 0; i < s.runs; i++) {
    const unmount = await s.drive();
    const mid = live();
    for (const k of kinds(peak)) peak[k] = Math.max(peak[k], mid[k] - before[k]);
    await unmount();
  }
  s.after?.();
  await act(async () => tick());
  client.clear();
  const after = live();
  const left = zero();
  for (const k of kinds(left)) left[k] = after[k] - before[k];
  return { peak, left };
}

const LEAK_LABELS: Record<keyof Counts, string> = {
  listeners: 'event listeners left on window, document and attached nodes',
  timers: 'timers and intervals left running',
  channels: 'BroadcastChannels left open',
  nodes: 'DOM nodes left',
  popups: 'popups left open',
};

async function leaks(): Promise<{ rows: Row[]; detail: unknown[] }> {
  const detail: { scenario: string; runs: number; peak: Counts; left: Counts }[] = [];
  const total = zero();
  const peakMax = zero();
  for (const s of scenarios) {
    const { peak, left } = await scenarioCounts(s);
    for (const k of kinds(total)) {
      total[k] += Math.max(0, left[k]);
      peakMax[k] = Math.max(peakMax[k], peak[k]);
    }
    detail.push({ scenario: s.name, runs: s.runs, peak, left });
  }
  const runs = scenarios.reduce((n, s) => n + s.runs, 0);
  const rows = kinds(total).map(
    (k): Row => ({
      area: 'leaks',
      measure: `${LEAK_LABELS[k]} after unmounting mid-flow`,
      goal: '0',
      measured: total[k],
      baseline: peakMax[k],
      ratio: null,
      met: total[k] === 0,
      unit: 'count',
      note: `${scenarios.length} scenarios, ${runs} mount/unmount cycles; baseline column: most live at once mid-flow (what the instrumentation saw)`,
    }),
  );
  return { rows, detail };
}

const rendered = await renders();
const leak = await leaks();
process.stdout.write(`${JSON.stringify({ rows: [rendered, ...leak.rows], detail: leak.detail })}\n`);
process.exit(0);
