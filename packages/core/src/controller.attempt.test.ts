// @vitest-environment jsdom
// The attempt engine and the one report, at the controller's boundaries: a recording view stands
// in for the popup, redirect and modal views (passed the way the modal is, as the `embed` option),
// and the app's callbacks, events and state listener record what reaches them, in order. The views
// themselves run in real browsers (e2e/engines/, embed.chromium.test.ts); a view the browser refused
// (a blocked popup) is the popup's (controller.popup.test.ts, e2e/popup.spec.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTO_POPUP_MIN_WIDTH, createLinkController } from './controller';
import { fakePopup, flush, fresh, manualSource, resetPage, track } from './controllerTestKit';
import { LinkError } from './LinkError';
import type { Attempt, LinkControllerOptions, LinkEmbed, LinkOutcome, LinkView } from './types';

afterEach(resetPage);

const SUCCESS: LinkOutcome = { status: 'success', connectionId: 'conn_1', confirmed: false };
const CLOSED: LinkOutcome = { status: 'cancelled', reason: 'closed' };

/** A view that records each call of the view interface and keeps the attempt it was made for. */
function recordingView(log: string[], opened = true) {
  const made: { attempt: Attempt | null } = { attempt: null };
  const factory = (attempt: Attempt): LinkView => {
    made.attempt = attempt;
    let ui = false;
    return {
      prepare(url) {
        log.push(`view.prepare(${url ?? ''})`);
        ui = opened;
        return opened;
      },
      navigate: (s) => log.push(`view.navigate(${s.url})`),
      show: (s) => log.push(`view.show(${s.url})`),
      requestExit: (force) => {
        log.push(`view.requestExit(${force})`);
        return true;
      },
      hasUi: () => ui,
      close: () => log.push('view.close'),
    };
  };
  return { embed: factory as unknown as LinkEmbed, made };
}

/** A controller driving a recording view, with everything that reaches the app logged in order. */
function setup(options: LinkControllerOptions = {}, opened = true) {
  const log: string[] = [];
  const src = manualSource();
  const view = recordingView(log, opened);
  const opts: LinkControllerOptions = {
    mode: 'embed',
    embed: view.embed,
    onEvent: (e) => log.push(`event:${e.type}`),
    onSuccess: (o) => log.push(`onSuccess:${o.confirmed}`),
    onExit: (o) => log.push(`onExit:${o.status}`),
    onError: (e) => log.push(`onError:${e.code}`),
    ...options,
  };
  const controller = createLinkController(() => opts, {
    peek: () => src.source.peek(),
    get: (signal) => {
      log.push('request');
      return src.source.get(signal);
    },
    discard: () => {
      log.push('discard');
      src.source.discard();
    },
  });
  track(controller);
  controller.subscribe(() => log.push(`state:${controller.getState().status}`));
  const attempt = () => view.made.attempt as Attempt;
  return { controller, log, src, attempt };
}

describe('the attempt in the click', () => {
  it('sends the session request before the view prepares, and tells the app only after both', () => {
    const { controller, log } = setup();
    controller.open();
    expect(log).toEqual(['request', 'view.prepare()', 'event:session_requested', 'state:preparing']);
  });

  it('opens a cached session in the click: no request, no second navigation, the session used once', () => {
    const { controller, log, src } = setup();
    src.prime(fresh('cs_cached'));
    controller.open();
    expect(log).toEqual([
      'view.prepare(https://link.test/cs_cached)',
      'state:preparing',
      'discard',
      'state:open',
      'view.show(https://link.test/cs_cached)',
    ]);
  });

  it('navigates to a fetched session before announcing it, then shows it', async () => {
    const { controller, log, src } = setup();
    controller.open();
    log.length = 0;
    await src.resolve(fresh('cs_new'));
    expect(log).toEqual([
      'view.navigate(https://link.test/cs_new)',
      'event:session_ready',
      'discard',
      'state:open',
      'view.show(https://link.test/cs_new)',
    ]);
  });

  it('resolves auto by the width of the window: a popup from 640 px, else a redirect', () => {
    const open = vi.spyOn(window, 'open').mockImplementation(() => fakePopup() as unknown as Window);
    const width = (px: number) => vi.spyOn(window, 'innerWidth', 'get').mockReturnValue(px);
    width(AUTO_POPUP_MIN_WIDTH);
    setup({ mode: 'auto' }).controller.open();
    expect(open).toHaveBeenCalledTimes(1);
    width(AUTO_POPUP_MIN_WIDTH - 1);
    const narrow = setup({ mode: 'auto' });
    narrow.controller.open();
    expect(open).toHaveBeenCalledTimes(1);
    expect(narrow.controller.getState().status).toBe('preparing');
  });
});

describe('the end of an attempt, and the one report', () => {
  it('changes the state, then closes the UI, then tells the app, then reports the close', async () => {
    const { controller, log, src, attempt } = setup();
    controller.open();
    await src.resolve();
    log.length = 0;
    attempt().end(SUCCESS);
    expect(log).toEqual(['state:success', 'view.close', 'event:success', 'onSuccess:false', 'event:closed']);
  });

  it('reports exactly one outcome, however many times the view ends it, and frees the controller', async () => {
    const { controller, log, src, attempt } = setup();
    controller.open();
    await src.resolve();
    attempt().end(CLOSED);
    attempt().end(SUCCESS);
    expect(log.filter((l) => l.startsWith('event:cancelled') || l.startsWith('event:success'))).toEqual([
      'event:cancelled',
    ]);
    expect(log.filter((l) => l === 'view.close')).toHaveLength(1);
    expect(controller.getState().outcome).toEqual(CLOSED);
    expect(attempt().current()).toBe(false);
    log.length = 0;
    controller.open();
    expect(log).toContain('view.prepare()');
  });

  it('reports an error outcome with the attempt’s LinkError, or one made from its code', async () => {
    const { controller, log, src, attempt } = setup();
    const blocked = new LinkError('popup_blocked', 'The browser blocked the popup.');
    controller.open();
    await src.resolve();
    attempt().end({ status: 'error', code: 'popup_blocked', message: blocked.message }, blocked);
    expect(controller.getState().error).toBe(blocked);
    controller.open();
    await src.resolve();
    attempt().end({ status: 'error', code: 'account_locked', message: 'Locked.' });
    expect(controller.getState().error).toMatchObject({ code: 'account_locked', message: 'Locked.' });
    expect(log.filter((l) => l.startsWith('onError'))).toEqual([
      'onError:popup_blocked',
      'onError:account_locked',
    ]);
  });

  it('removes the listeners and timers of the view when its UI closes', async () => {
    const { controller, src, attempt } = setup();
    controller.open();
    await src.resolve();
    let heard = 0;
    let fired = false;
    attempt().listen('message', () => {
      heard++;
    });
    attempt().after(5, () => {
      fired = true;
    });
    window.dispatchEvent(new MessageEvent('message'));
    attempt().end(CLOSED);
    window.dispatchEvent(new MessageEvent('message'));
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toBe(1);
    expect(fired).toBe(false);
  });

  it('ends with the error of a failed session request, as a typed LinkError', async () => {
    const { controller, log, src } = setup();
    controller.open();
    await src.reject(new TypeError('offline'));
    expect(controller.getState()).toMatchObject({
      status: 'error',
      outcome: { status: 'error', code: 'session_request_failed', message: 'offline' },
    });
    expect(controller.getState().error).toBeInstanceOf(LinkError);
    expect(log.filter((l) => l.startsWith('onError'))).toEqual(['onError:session_request_failed']);
    expect(log.some((l) => l.includes('.show'))).toBe(false);
  });

  it('close() asks the hosted page to exit and ends as closed; dispose() tears down without an outcome', async () => {
    const a = setup();
    a.controller.open();
    await a.src.resolve();
    a.controller.close();
    expect(a.log).toContain('view.requestExit(true)');
    expect(a.controller.getState().outcome).toEqual(CLOSED);

    const b = setup();
    b.controller.open();
    b.log.length = 0;
    b.controller.dispose();
    expect(b.log).toEqual(['view.close']);
    await b.src.resolve();
    // the session that arrives afterwards is neither navigated to nor shown
    expect(b.log.some((l) => l.includes('.navigate') || l.includes('.show'))).toBe(false);
    expect(b.log.some((l) => l.startsWith('on'))).toBe(false);
  });
});

describe('a success the app’s server confirms first', () => {
  it('is confirming, with the UI closed, then the confirmed success', async () => {
    const asked: string[] = [];
    const { controller, log, src, attempt } = setup({
      confirm: async (id) => {
        asked.push(id);
      },
    });
    controller.open();
    await src.resolve();
    log.length = 0;
    attempt().end(SUCCESS);
    expect(log).toEqual(['state:confirming', 'view.close']);
    await flush();
    expect(asked).toEqual(['conn_1']);
    expect(log.slice(2)).toEqual(['state:success', 'event:success', 'onSuccess:true', 'event:closed']);
    expect(controller.getState().outcome).toEqual({ ...SUCCESS, confirmed: true });
  });

  it('turns a refused confirmation into an error outcome with the server’s code', async () => {
    const { controller, log, src, attempt } = setup({
      confirm: async () => {
        throw new LinkError('connection_not_owned', 'Not yours.', 403);
      },
    });
    controller.open();
    await src.resolve();
    attempt().end(SUCCESS);
    await flush();
    expect(controller.getState().status).toBe('error');
    expect(log.slice(-3)).toEqual(['onExit:error', 'onError:connection_not_owned', 'event:closed']);
  });

  it('drops a confirmation torn down (unmounted) without a word, and the controller opens again', async () => {
    const { controller, log, src, attempt } = setup({ confirm: async () => undefined });
    controller.open();
    await src.resolve();
    log.length = 0;
    attempt().end(SUCCESS);
    controller.reset();
    await flush();
    expect(log.filter((l) => l.startsWith('on') || l.startsWith('event:'))).toEqual([]);
    log.length = 0;
    controller.open();
    expect(log).toContain('view.prepare()');
  });

  it('never confirms again what is already confirmed', async () => {
    let asked = 0;
    const { controller, log, src, attempt } = setup({
      confirm: async () => {
        asked++;
      },
    });
    controller.open();
    await src.resolve();
    attempt().end({ ...SUCCESS, confirmed: true });
    expect(asked).toBe(0);
    expect(log).toContain('onSuccess:true');
  });
});
