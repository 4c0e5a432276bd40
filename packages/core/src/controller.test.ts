// @vitest-environment jsdom
// The controller itself: its states, option checks (also generated ones) and the redirect target.
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { createLinkController } from './controller';
import {
  fakePopup,
  fresh,
  manualSource,
  resetPage,
  SESSION_ORIGIN,
  setup,
  stubWindowOpen,
  track,
} from './controllerTestKit';
import { embed } from './embedEntry';
import { optionsProblem } from './options';
import { REDIRECT_KEY } from './records';
import type { LinkControllerOptions } from './types';

afterEach(resetPage);

describe('state machine', () => {
  it('goes idle → ready on prefetch, and reset() returns to idle without callbacks', async () => {
    const { controller, src, calls } = setup({ mode: 'embed', embed });
    expect(controller.getState().status).toBe('idle');
    controller.prefetch();
    await src.resolve();
    expect(controller.getState()).toMatchObject({ status: 'ready', isReady: true });
    controller.open();
    expect(controller.getState().status).toBe('open');
    controller.reset();
    expect(controller.getState().status).toBe('idle');
    expect(calls.filter((c) => c.startsWith('on'))).toEqual([]);
  });

  it('notifies subscribers on each change and stops after unsubscribe', async () => {
    const { controller, src } = setup({ mode: 'embed', embed });
    const seen: string[] = [];
    const off = controller.subscribe(() => seen.push(controller.getState().status));
    controller.open();
    await src.resolve();
    controller.close();
    off();
    controller.reset();
    expect(seen).toEqual(['preparing', 'open', 'cancelled']);
  });

  it('draws from the random generator when made, so the click is not the page’s first draw', () => {
    const draws = vi.spyOn(crypto, 'getRandomValues');
    const { controller } = setup({ mode: 'embed', embed });
    expect(draws).toHaveBeenCalledTimes(1);
    controller.open();
    expect(draws).toHaveBeenCalledTimes(3); // the attempt's id and nonce
  });
});

describe('invalid options', () => {
  let open: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    open = vi.fn(() => fakePopup());
    vi.spyOn(window, 'open').mockImplementation(open as unknown as typeof window.open);
  });

  it.each([
    [{ mode: 'modal' }, 'mode'],
    [{ mode: 'popup', theme: 'neon' }, 'theme'],
    [{ mode: 'popup', returnTo: 'https://evil.example/' }, 'returnTo'],
    [{ mode: 'embed', embed, zIndex: '1;background:url(x)' }, 'zIndex'],
    [{ mode: 'popup', popupCloseGraceMs: -5 }, 'popupCloseGraceMs'],
    [{ mode: 'popup', endpoint: '' }, 'endpoint'],
  ])('%o: an invalid_options error before any window, storage or request', (options, name) => {
    const { controller, calls, events, src } = setup(options as LinkControllerOptions);
    controller.open();
    const { status, error, outcome } = controller.getState();
    expect(status).toBe('error');
    expect(error).toMatchObject({ name: 'LinkError', code: 'invalid_options' });
    expect(error?.message).toMatch(new RegExp(`^Invalid oflink options: ${name} must be `));
    expect(outcome).toEqual({ status: 'error', code: 'invalid_options', message: error?.message });
    expect(calls).toEqual(['event:error', 'onExit:error', 'onError:invalid_options']);
    expect(events.map((e) => e.type)).not.toContain('session_requested');
    expect(src.requests).toBe(0);
    expect(open).not.toHaveBeenCalled();
    expect(sessionStorage.length + localStorage.length).toBe(0);
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('a callback that is not a function is reported through the others and never thrown on', () => {
    const { controller, calls } = setup({ mode: 'popup', onExit: 'close' as never });
    expect(() => controller.open()).not.toThrow();
    expect(calls).toEqual(['event:error', 'onError:invalid_options']);
    expect(controller.getState().error?.message).toBe(
      'Invalid oflink options: onExit must be a function; got "close".',
    );
    const none = setup({ onSuccess: 1, onExit: 1, onError: 1, onEvent: 1 } as never);
    expect(() => none.controller.open()).not.toThrow();
    expect(none.controller.getState()).toMatchObject({ status: 'error', error: { code: 'invalid_options' } });
  });

  it('options are read at every use: once fixed, the next open() runs', async () => {
    const options: LinkControllerOptions = { mode: 'sideways' as never };
    const { controller, src } = setup();
    const fixed = createLinkController(() => options, src.source);
    track(fixed);
    fixed.open();
    expect(fixed.getState().error?.code).toBe('invalid_options');
    options.mode = 'popup';
    fixed.open();
    expect(open).toHaveBeenCalledTimes(1);
    expect(src.requests).toBe(1);
    await src.resolve();
    expect(fixed.getState().status).toBe('open');
    expect(controller.getState().status).toBe('idle');
  });

  it('a refused prefetch is not sent again at each hover; the click asks again, and prefetching resumes after it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const popup = fakePopup();
    stubWindowOpen(() => popup);
    const { controller, src, calls } = setup({ mode: 'popup' });
    const { LinkError } = await import('./LinkError');
    controller.prefetch();
    await src.reject(new LinkError('unauthenticated', 'Sign in first.', 401));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('not prefetching again until a click'));
    controller.prefetch();
    controller.prefetch();
    expect(src.requests).toBe(1);
    expect(controller.getState().status).toBe('idle');
    controller.open(); // the click asks again and reports the answer
    expect(src.requests).toBe(2);
    await src.reject(new LinkError('unauthenticated', 'Sign in first.', 401));
    expect(controller.getState().error).toMatchObject({ code: 'unauthenticated' });
    expect(calls).toContain('onError:unauthenticated');
    controller.prefetch(); // after a click, hovering prefetches again
    expect(src.requests).toBe(3);
    await src.resolve();
    expect(controller.getState().isReady).toBe(true);
  });

  it('prefetch() with invalid options requests nothing (open() reports it)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { controller, src } = setup({ mode: 'embed', embed, theme: 'neon' as never });
    controller.prefetch();
    expect(src.requests).toBe(0);
    expect(controller.getState().status).toBe('idle');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Not prefetching: theme must be one of'));
  });
});

describe('generated options (fast-check)', () => {
  const fuzz = { runs: 0, invalid: 0, violations: 0 };
  afterAll(() =>
    writeFigures('core-fuzz-options', [
      {
        area: 'browser fuzz',
        measure: 'controller option objects generated (fast-check)',
        value: fuzz.runs,
        goal: '≥ 1000',
      },
      {
        area: 'browser fuzz',
        measure: 'bad options not reported as invalid_options before any window or request, or thrown',
        value: fuzz.violations,
        goal: '0',
      },
    ]),
  );

  it('open() never throws: bad options end it as invalid_options before any window or request, good ones run', () => {
    const fn = () => () => {};
    // each member: absent, a documented value, or (one time in 20) anything at all
    const member = <T>(...valid: T[]) =>
      fc.option(
        fc.oneof(
          { arbitrary: fc.constantFrom(...valid), weight: 19 },
          { arbitrary: fc.anything(), weight: 1 },
        ),
        { nil: undefined },
      );
    const options = fc.record(
      {
        mode: member('auto', 'popup', 'embed', 'redirect'),
        theme: member('auto', 'light', 'dark'),
        prefetch: member<boolean | 'hover'>(true, false, 'hover'),
        endpoint: member('/api/oflink/session', 'https://api.app.example/s'),
        returnTo: member('/', '/settings?tab=2', '//evil.example', 'https://evil.example/'),
        zIndex: member(0, 10, 2147483000),
        popupCloseGraceMs: member(0, 3000),
        fetchSession: member(fn()),
        onSuccess: member(fn()),
        onExit: member(fn()),
        onError: member(fn()),
        onEvent: member(fn()),
        connectionId: member('conn_1'),
        embed: member(embed),
      },
      { requiredKeys: [] },
    );
    const windowOpen = vi.spyOn(window, 'open').mockImplementation(() => fakePopup() as unknown as Window);
    fc.assert(
      fc.property(options, (generated) => {
        fuzz.runs++;
        windowOpen.mockClear();
        const o = generated as LinkControllerOptions;
        const problem = optionsProblem(o, window.location.origin);
        const src = manualSource();
        const controller = createLinkController(() => o, src.source);
        let ok = true;
        try {
          controller.open();
          const { status, error } = controller.getState();
          if (problem) {
            fuzz.invalid++;
            ok =
              status === 'error' &&
              error?.code === 'invalid_options' &&
              error.message === `Invalid oflink options: ${problem}` &&
              windowOpen.mock.calls.length === 0 &&
              src.requests === 0 &&
              sessionStorage.length === 0;
          } else {
            ok = status === 'preparing' && src.requests === 1;
          }
        } catch {
          ok = false;
        } finally {
          controller.dispose();
          sessionStorage.clear();
          localStorage.clear();
        }
        if (!ok) fuzz.violations++;
        return ok;
      }),
      { numRuns: 1000 },
    );
    // both sides were exercised
    expect(fuzz.invalid).toBeGreaterThan(100);
    expect(fuzz.runs - fuzz.invalid).toBeGreaterThan(100);
  });
});

describe('redirect mode returnTo', () => {
  function redirectFrom(pathname: string, returnTo?: string) {
    const assign = vi.fn();
    vi.spyOn(window, 'location', 'get').mockReturnValue({
      ...window.location,
      assign,
      origin: window.location.origin,
      pathname,
      search: '?tab=2',
      hash: '',
    });
    const t = setup(returnTo === undefined ? { mode: 'redirect' } : { mode: 'redirect', returnTo });
    t.controller.open();
    return { ...t, assign };
  }
  const saved = () => JSON.parse(sessionStorage.getItem(REDIRECT_KEY) ?? '{}') as { returnTo?: unknown };

  it('saves the returnTo option as a normalised same-origin path', async () => {
    const { src, assign } = redirectFrom('/here', '/a/../settings?x=1');
    await src.resolve(fresh('cs_r'));
    expect(assign).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_r`);
    expect(saved().returnTo).toBe('/settings?x=1');
  });

  it('defaults to the current page, and saves null when its path could read as another host', async () => {
    const here = redirectFrom('/account');
    await here.src.resolve(fresh('cs_1'));
    expect(saved().returnTo).toBe('/account?tab=2');
    sessionStorage.clear();
    const crafted = redirectFrom('//evil.example/x');
    await crafted.src.resolve(fresh('cs_2'));
    expect(crafted.assign).toHaveBeenCalledWith(`${SESSION_ORIGIN}/cs_2`);
    expect(saved().returnTo).toBeNull();
  });

  it('Back from the hosted page restores this page from the back-forward cache: a cancellation, the button usable, the record gone', async () => {
    const { controller, src, calls } = redirectFrom('/account');
    await src.resolve(fresh('cs_b'));
    expect(controller.getState().status).toBe('open');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect(controller.getState()).toMatchObject({
      status: 'cancelled',
      outcome: { status: 'cancelled', reason: 'closed' },
    });
    expect(calls).toContain('onExit:cancelled');
    expect(sessionStorage.getItem(REDIRECT_KEY)).toBeNull();
    // a new attempt starts
    controller.open();
    await src.resolve(fresh('cs_c'));
    expect(controller.getState().status).toBe('open');
  });

  it('a page loaded afresh drops a redirect record no callback will read (a reload, or Back without the cache)', () => {
    sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: 'old', returnTo: '/', at: Date.now() }));
    window.history.replaceState(null, '', '/account');
    const t = setup({});
    t.controller.resume();
    expect(sessionStorage.getItem(REDIRECT_KEY)).toBeNull();
    // the callback page itself keeps it for its own reading
    sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: 'cb', returnTo: '/', at: Date.now() }));
    window.history.replaceState(null, '', '/oflink/callback?status=cancelled');
    setup({}).controller.resume();
    expect(sessionStorage.getItem(REDIRECT_KEY)).not.toBeNull();
  });
});
