// Measure 2: click → popup navigating to the hosted URL, in Chromium, through a real session
// endpoint in front of the simulator. Time from the click event to the start of the popup's
// navigation to the hosted page (the hosted document's performance.timeOrigin); baselines: a naive
// page that fetches on click and then calls window.open, and the floor (window.open of a known URL).
// Every page records the steps of its click (pageSteps.ts): the JavaScript before the window; an
// eagerly compiled copy of the app tells how much of ours is V8 compiling functions on first call.
// Chromium is driven through its debugging pipe (cdp.ts), never paused by the driver.
import { startSimulator } from '@oflink/simulator';
import { type Cdp, type CdpEvent, evaluate, launchCdp, nextEvent, waitFor } from './cdp';
import { log, median, quantile, type Row, round } from './common';
import { READ_STEPS, type StepName, type Steps } from './pageSteps';
import { LATENCY_MS, popupRows } from './popupRows';
import { serve } from './popupSite';

const RUNS = Number(process.env.BENCH_POPUP_RUNS ?? 15);

interface Sample {
  /** click → the popup's navigation to the hosted URL starts (its document's `performance.timeOrigin`). */
  ms: number;
  /** click → the popup's request for the hosted page is sent (navigation timing `requestStart`). */
  requestMs: number;
  /** The click's steps in the page (pageSteps.ts), in ms after the click. */
  steps: Steps;
  /** The session request made after this click, from its resource timing (null when none was made). */
  session: { fetch: number; sent: number; answered: number } | null;
  inClickTask: boolean | null;
  blocked: boolean;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  openerId?: string;
}

const targetInfo = (e: CdpEvent) =>
  e.method === 'Target.targetCreated' || e.method === 'Target.targetInfoChanged'
    ? (e.params.targetInfo as TargetInfo)
    : null;

/** A fresh tab on `url`, its button enabled. */
async function openPage(cdp: Cdp, url: string, browserContextId: string) {
  const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', {
    url: 'about:blank',
    browserContextId,
  });
  const { sessionId: page } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', {
    targetId,
    flatten: true,
  });
  await cdp.send('Page.enable', {}, page);
  const loaded = nextEvent(cdp, (e) => e.method === 'Page.loadEventFired' && e.sessionId === page, 10_000);
  await cdp.send('Page.navigate', { url }, page);
  await loaded;
  await waitFor(
    cdp,
    page,
    'document.querySelector("button") && !document.querySelector("button").disabled',
    10_000,
  );
  return { targetId, page };
}

/**
 * Hovers (and waits for the prefetch) when asked, clicks, and answers the popup's target at the
 * hosted URL, or null when Chromium blocked it.
 */
async function clickForPopup(cdp: Cdp, tab: { targetId: string; page: string }, prefix: string, v: Variant) {
  const { targetId, page } = tab;
  const at = await evaluate<{ x: number; y: number }>(
    cdp,
    page,
    '(() => { const r = document.querySelector("button").getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()',
  );
  const mouse = (type: string) =>
    cdp.send('Input.dispatchMouseEvent', { type, ...at, button: 'left', clickCount: 1 }, page);
  if (v.hover) await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at }, page);
  if (v.waitReady) await waitFor(cdp, page, 'window.__bench.ready', 10_000);
  // a popup of this page: first that it exists at all (else Chromium blocked it), then at the hosted URL
  const opened = nextEvent(cdp, (e) => targetInfo(e)?.openerId === targetId, 5000).then(
    () => true,
    () => false,
  );
  const atHosted = nextEvent(
    cdp,
    (e) => targetInfo(e)?.openerId === targetId && (targetInfo(e)?.url.startsWith(prefix) ?? false),
    10_000,
  );
  atHosted.catch(() => undefined); // awaited below only when the popup opened
  await mouse('mousePressed');
  await mouse('mouseReleased');
  if (!(await opened)) return null;
  return (targetInfo(await atHosted) as TargetInfo).targetId;
}

/** When the popup's navigation to the hosted page started and its request was sent (epoch ms). */
async function navigationStart(cdp: Cdp, popupId: string, prefix: string) {
  // attached after the fact: nothing paused the popup while it was measured
  const { sessionId: popup } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', {
    targetId: popupId,
    flatten: true,
  });
  const nav = `performance.getEntriesByType("navigation")[0]`;
  await waitFor(
    cdp,
    popup,
    `location.href.startsWith(${JSON.stringify(prefix)}) && ${nav}?.responseEnd > 0`,
    10_000,
  );
  return evaluate<{ origin: number; request: number }>(
    cdp,
    popup,
    `({ origin: performance.timeOrigin, request: performance.timeOrigin + ${nav}.requestStart })`,
  );
}

/** The page's marks (epoch ms), its steps, and the resource timing of this click's session request. */
async function pageMarks(cdp: Cdp, page: string) {
  const marks = await evaluate<{ click: number; opened: number | null; inClickTask: boolean | null }>(
    cdp,
    page,
    `(() => { const b = window.__bench; const at = (t) => t == null ? null : performance.timeOrigin + t; return { click: at(window.__steps.click), opened: at(b.opened), inClickTask: b.openedInClickTask ?? null }; })()`,
  );
  const steps = await evaluate<Steps>(cdp, page, READ_STEPS);
  const session = await evaluate<Sample['session']>(
    cdp,
    page,
    `(() => { const c = window.__steps.click; const e = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/api/oflink/session') && r.startTime >= c).at(-1); return e ? { fetch: e.startTime - c, sent: e.requestStart - c, answered: e.responseEnd - c } : null; })()`,
  );
  return { ...marks, steps, session };
}

/** The popup's navigation and the page's marks, relative to the click. */
async function timings(cdp: Cdp, page: string, popupId: string, prefix: string): Promise<Sample> {
  const started = await navigationStart(cdp, popupId, prefix);
  const { click, opened, inClickTask, steps, session } = await pageMarks(cdp, page);
  if (process.env.BENCH_DEBUG)
    log(
      `debug: popup navigation ${round(started.origin - click)} request ${round(started.request - click)}${opened === null ? '' : ` opened ${round(opened - click)}`} ms after the click; steps ${JSON.stringify(steps)}${session ? `; session request: fetch() ${round(session.fetch)} sent ${round(session.sent)} answered ${round(session.answered)}` : ''}`,
    );
  return {
    ms: started.origin - click,
    requestMs: started.request - click,
    steps,
    session,
    inClickTask,
    blocked: false,
  };
}

/** One click on one variant, in a browser context of its own. */
async function once(cdp: Cdp, hostedPrefix: string, variant: Variant): Promise<Sample> {
  const { browserContextId } = await cdp.send<{ browserContextId: string }>('Target.createBrowserContext');
  try {
    const tab = await openPage(cdp, variant.url, browserContextId);
    const popupId = await clickForPopup(cdp, tab, hostedPrefix, variant);
    if (popupId === null)
      return {
        ms: Number.NaN,
        requestMs: Number.NaN,
        steps: {},
        session: null,
        inClickTask: null,
        blocked: true,
      };
    return await timings(cdp, tab.page, popupId, hostedPrefix);
  } finally {
    await cdp.send('Target.disposeBrowserContext', { browserContextId });
  }
}

/** One bench page and how it is clicked. */
interface Variant {
  url: string;
  /** Hover the button first (our prefetch trigger). */
  hover: boolean;
  /** Wait until the page has its session before clicking. */
  waitReady: boolean;
}

function summary(samples: readonly Sample[]) {
  const ok = samples.filter((s) => !s.blocked);
  const ms = ok.map((s) => s.ms);
  const sessions = ok.flatMap((s) => (s.session ? [s.session] : []));
  const med = (xs: number[]) => (xs.length ? round(median(xs)) : Number.NaN);
  return {
    median: med(ms),
    p90: ms.length ? round(quantile(ms, 0.9)) : Number.NaN,
    request: med(ok.map((s) => s.requestMs)),
    /** medians of the click's steps (pageSteps.ts) the page reached in every run that was not blocked */
    steps: stepMedians(ok),
    /** the app's listener → window.open(), the median of each click's own difference (null without those steps) */
    listenerToOpen: spanMedian(ok, 'listener', 'open'),
    /** medians of the session request made on click: when fetch() ran, its round trip, answer → navigation */
    session: sessions.length
      ? {
          fetch: med(sessions.map((x) => x.fetch)),
          roundTrip: med(sessions.map((x) => x.answered - x.sent)),
          toNavigation: med(ok.flatMap((x) => (x.session ? [x.ms - x.session.answered] : []))),
        }
      : null,
    blocked: samples.length - ok.length,
    inClickTask: ok.filter((s) => s.inClickTask === true).length,
    runs: samples.length,
  };
}

/**
 * RUNS timed clicks of every variant, interleaved (round i runs them all, in an order rotated by
 * i), so a slow stretch of the shared machine weighs on every variant alike; one warm-up click of
 * each first (JIT, caches, first connection).
 */
async function interleaved(cdp: Cdp, prefix: string, variants: readonly Variant[]) {
  const samples: Sample[][] = variants.map(() => []);
  for (const v of variants) await once(cdp, prefix, v);
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < variants.length; k++) {
      const j = (i + k) % variants.length;
      const v = variants[j] as Variant;
      (samples[j] as Sample[]).push(await once(cdp, prefix, v));
    }
  }
  return samples.map(summary);
}

export type Summary = ReturnType<typeof summary>;

/** The median of each step every sample reached, rounded. */
function stepMedians(samples: readonly Sample[]): Steps {
  const out: Steps = {};
  const names = new Set(samples.flatMap((s) => Object.keys(s.steps) as StepName[]));
  for (const name of names) {
    const xs = samples.flatMap((s) => {
      const t = s.steps[name];
      return t === undefined ? [] : [t];
    });
    if (xs.length === samples.length && xs.length > 0) out[name] = round(median(xs));
  }
  return out;
}

/** The median over the samples of each one's time from step `from` to step `to`, or null. */
function spanMedian(samples: readonly Sample[], from: StepName, to: StepName): number | null {
  const spans = samples.flatMap((s) => {
    const [a, b] = [s.steps[from], s.steps[to]];
    return a === undefined || b === undefined ? [] : [b - a];
  });
  return spans.length > 0 ? round(median(spans)) : null;
}

/** Rows of measure 2. */
export async function measurePopup(): Promise<Row[]> {
  const sim = await startSimulator({ port: 0, quiet: true, latencyMs: LATENCY_MS });
  const site = await serve(sim.url, sim.apiKey);
  const cdp = await launchCdp();
  try {
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    const prefix = `${sim.url}/`;
    log(`popup: endpoint ${site.kind}, simulator latency ${LATENCY_MS} ms, ${RUNS} runs each`);
    const [warm, cold, naive, floor, eager] = (await interleaved(cdp, prefix, [
      { url: `${site.origin}/?prefetch=hover`, hover: true, waitReady: true },
      { url: `${site.origin}/?prefetch=false`, hover: false, waitReady: false },
      { url: `${site.origin}/naive`, hover: false, waitReady: false },
      { url: `${site.origin}/floor`, hover: false, waitReady: true },
      { url: `${site.origin}/eager?prefetch=hover`, hover: true, waitReady: true },
    ])) as [Summary, Summary, Summary, Summary, Summary];
    log(
      `popup: prefetched ${JSON.stringify(warm)} cold ${JSON.stringify(cold)} naive ${JSON.stringify(naive)} floor ${JSON.stringify(floor)} eager ${JSON.stringify(eager)}`,
    );
    return popupRows({ warm, cold, naive, floor, eager }, site.kind);
  } finally {
    await cdp.close();
    await site.close();
    await sim.stop();
  }
}
