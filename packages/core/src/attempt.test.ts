// @vitest-environment jsdom
// The attempt engine at its two boundaries: the LinkView it drives (a recording view stands in for
// the popup, redirect and modal views) and the AttemptHost it reports to (a recording host stands in
// for the controller). The views themselves are tested in real Chromium.
import { describe, expect, it } from 'vitest';
import {
  type AttemptContext,
  type AttemptHost,
  AUTO_POPUP_MIN_WIDTH,
  type LinkView,
  startAttempt,
  startMode,
} from './attempt';
import { flush, fresh, manualSource } from './controllerTestKit';
import { LinkError } from './LinkError';
import type { LinkOutcome } from './types';

/** A host that records what the attempt tells it, in order, and concludes at once. */
function recordingHost() {
  const log: string[] = [];
  const src = manualSource();
  const concluded: { outcome: LinkOutcome; error: LinkError | undefined }[] = [];
  let current: unknown = null;
  const host: AttemptHost = {
    options: () => ({}),
    source: {
      peek: () => src.source.peek(),
      get: (signal) => {
        log.push('request');
        return src.source.get(signal);
      },
      discard: () => {
        log.push('discard');
        src.source.discard();
      },
    },
    emit: (e) => log.push(`event:${e.type}`),
    patch: (p) => log.push(`state:${p.status ?? '-'}`),
    startSession: () => src.source.get(new AbortController().signal),
    announce: () => log.push('announce'),
    begin: (a) => {
      current = a;
    },
    isCurrent: (a) => current === a,
    release: (a) => {
      if (current === a) current = null;
      log.push('release');
    },
    conclude(outcome, error, closeUi, afterwards) {
      concluded.push({ outcome, error });
      closeUi();
      afterwards(outcome);
    },
    returningFocus: (fn) => fn(),
  };
  return { host, log, src, concluded, running: () => current };
}

/** A view that records each call of the LinkView interface and keeps the context it was made with. */
function recordingView(log: string[], name = 'view', opened = true) {
  const made: { ctx: AttemptContext | null } = { ctx: null };
  const factory = (ctx: AttemptContext): LinkView => {
    made.ctx = ctx;
    let ui = false;
    return {
      prepare(url) {
        log.push(`${name}.prepare(${url ?? ''})`);
        ui = opened;
        return opened;
      },
      navigate: (s) => log.push(`${name}.navigate(${s.url})`),
      show: (s) => log.push(`${name}.show(${s.url})`),
      requestExit: (force) => {
        log.push(`${name}.requestExit(${force})`);
        return true;
      },
      hasUi: () => ui,
      close: () => log.push(`${name}.close`),
    };
  };
  return { factory, made };
}

describe('the attempt in the click', () => {
  it('sends the session request before the view prepares, and tells the app only after both', () => {
    const { host, log } = recordingHost();
    startAttempt(host, recordingView(log).factory);
    expect(log).toEqual(['request', 'view.prepare()', 'event:session_requested', 'state:preparing']);
  });

  it('opens a cached session in the click: no request, no second navigation, the session used once', () => {
    const { host, log, src } = recordingHost();
    src.prime(fresh('cs_cached'));
    startAttempt(host, recordingView(log).factory);
    expect(log).toEqual([
      'view.prepare(https://link.test/cs_cached)',
      'state:preparing',
      'discard',
      'state:open',
      'view.show(https://link.test/cs_cached)',
    ]);
  });

  it('navigates to a fetched session before announcing it, then shows it', async () => {
    const { host, log, src } = recordingHost();
    startAttempt(host, recordingView(log).factory);
    log.length = 0;
    await src.resolve(fresh('cs_new'));
    expect(log).toEqual([
      'view.navigate(https://link.test/cs_new)',
      'announce',
      'discard',
      'state:open',
      'view.show(https://link.test/cs_new)',
    ]);
  });
});

describe('the end of an attempt', () => {
  it('reports exactly one outcome, however many times the view ends it', async () => {
    const { host, log, src, concluded, running } = recordingHost();
    const view = recordingView(log);
    startAttempt(host, view.factory);
    await src.resolve();
    view.made.ctx?.end({ status: 'cancelled', reason: 'closed' });
    view.made.ctx?.end({ status: 'success', connectionId: 'conn_1', confirmed: false });
    expect(concluded).toEqual([{ outcome: { status: 'cancelled', reason: 'closed' }, error: undefined }]);
    expect(running()).toBeNull();
    expect(log.filter((l) => l === 'release')).toHaveLength(1);
    // the view had a window: its close is reported after the outcome
    expect(log.slice(-2)).toEqual(['view.close', 'event:closed']);
  });

  it('removes the listeners and timers of the view when its UI closes', async () => {
    const { host, log, src } = recordingHost();
    const view = recordingView(log);
    startAttempt(host, view.factory);
    await src.resolve();
    const ctx = view.made.ctx as AttemptContext;
    let heard = 0;
    let fired = false;
    ctx.listen('message', () => {
      heard++;
    });
    ctx.after(5, () => {
      fired = true;
    });
    window.dispatchEvent(new MessageEvent('message'));
    ctx.end({ status: 'cancelled', reason: 'closed' });
    window.dispatchEvent(new MessageEvent('message'));
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toBe(1);
    expect(fired).toBe(false);
  });

  it('ends with the error of a failed session request, as a typed LinkError', async () => {
    const { host, log, src, concluded } = recordingHost();
    startAttempt(host, recordingView(log).factory);
    await src.reject(new TypeError('offline'));
    expect(concluded).toHaveLength(1);
    const [{ outcome, error }] = concluded as [{ outcome: LinkOutcome; error: LinkError }];
    expect(outcome).toEqual({ status: 'error', code: 'session_request_failed', message: 'offline' });
    expect(error).toBeInstanceOf(LinkError);
    expect(log.some((l) => l.includes('.show'))).toBe(false);
  });

  it('stop(true) asks the hosted page to exit and ends as closed; stop() tears down without an outcome', async () => {
    const a = recordingHost();
    const first = startAttempt(a.host, recordingView(a.log).factory);
    await a.src.resolve();
    first.stop(true);
    expect(a.log).toContain('view.requestExit(true)');
    expect(a.concluded.map((c) => c.outcome)).toEqual([{ status: 'cancelled', reason: 'closed' }]);

    const b = recordingHost();
    const second = startAttempt(b.host, recordingView(b.log).factory);
    second.stop();
    expect(b.log.slice(-2)).toEqual(['release', 'view.close']);
    await b.src.resolve();
    // the session that arrives afterwards is neither navigated to nor shown
    expect(b.log.some((l) => l.includes('.navigate') || l.includes('.show'))).toBe(false);
    expect(b.concluded).toEqual([]);
  });
});

describe('a view the browser refused (a blocked popup)', () => {
  it('ends with popup_blocked when there is no fallback', async () => {
    const { host, log, concluded } = recordingHost();
    startAttempt(host, recordingView(log, 'popup', false).factory);
    expect(concluded.map((c) => c.outcome)).toEqual([
      { status: 'error', code: 'popup_blocked', message: 'The browser blocked the popup.' },
    ]);
    expect(concluded[0]?.error?.code).toBe('popup_blocked');
    await flush();
  });

  it('hands the attempt to the fallback view, which then shows the session', async () => {
    const { host, log, src, concluded } = recordingHost();
    startAttempt(host, recordingView(log, 'popup', false).factory, recordingView(log, 'redirect').factory);
    await src.resolve(fresh('cs_fb'));
    expect(concluded).toEqual([]);
    expect(log).toContain('redirect.navigate(https://link.test/cs_fb)');
    expect(log.at(-1)).toBe('redirect.show(https://link.test/cs_fb)');
    expect(log.some((l) => l.startsWith('popup.navigate') || l.startsWith('popup.show'))).toBe(false);
  });
});

describe('startMode', () => {
  it('keeps an explicit mode and resolves auto by the width of the window', () => {
    const wide = { innerWidth: AUTO_POPUP_MIN_WIDTH } as Window;
    const narrow = { innerWidth: AUTO_POPUP_MIN_WIDTH - 1 } as Window;
    expect(startMode('auto', wide)).toBe('popup');
    expect(startMode('auto', narrow)).toBe('redirect');
    expect(startMode('embed', narrow)).toBe('embed');
  });
});
