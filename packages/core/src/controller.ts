// The controller: one closure owns the state and its subscribers, the running attempt (or the
// confirmation of its success) and the prefetch generation. An attempt is a small unit inside it
// that drives one view (popup, redirect or the opt-in modal) from the click to its one outcome, and
// `report` is how every outcome reaches the app: the state, then the UI closed, then the event,
// then the callbacks.
import { confirmOutcome } from './confirm';
import { warn } from './dev';
import { isServer, randomId } from './env';
import { asLinkError, LinkError } from './LinkError';
import { optionsProblem } from './options';
import { failureOf } from './outcome';
import { popupView } from './popup';
import { REDIRECT_KEY, readReturned, starterOf, tabStorage, takeReturned } from './records';
import { redirectView } from './redirect';
import type {
  Attempt,
  ConfirmOption,
  LinkActions,
  LinkController,
  LinkControllerOptions,
  LinkEvent,
  LinkOutcome,
  LinkSession,
  LinkState,
  LinkSuccess,
  LinkView,
  SessionSource,
  ViewFactory,
} from './types';

/** Screens at least this wide get a popup in `auto` mode; narrower ones a redirect. */
export const AUTO_POPUP_MIN_WIDTH = 640;

/** The state before any attempt. */
const INITIAL: LinkState = {
  status: 'idle',
  outcome: null,
  error: null,
  session: null,
  isReady: false,
  sandbox: null,
};

/** What the controller can stop: an attempt (`close`: as cancelled), or the confirmation of a success. */
interface Running {
  stop(close?: boolean): void;
}

/** Calls a callback only when it is a function: a wrong one is reported by the options check, never thrown on. */
const call = <T>(fn: ((arg: T) => void) | undefined, arg: T) => {
  if (typeof fn === 'function') fn(arg);
};

/**
 * Creates a controller. `getOptions` is read at every use, so callbacks and options can change
 * without restarting anything. `source` caches sessions: `createSessionCache(getOptions)`, or a
 * binding's own (`@oflink/react` uses react-query).
 *
 * @example
 * const options = () => ({ mode: 'popup' as const, onSuccess: (o: LinkSuccess) => confirm(o.connectionId) });
 * const link = createLinkController(options, createSessionCache(options));
 * button.addEventListener('click', () => link.open());
 * link.subscribe(() => render(link.getState()));
 */
export function createLinkController(
  getOptions: () => LinkControllerOptions,
  source: SessionSource,
): LinkController {
  const listeners = new Set<() => void>();
  let running: Running | null = null;
  // sessions fetched ahead of the click; a reset or dispose makes a pending one stale
  let generation = 0;
  // a closing modal hands focus back to the trigger: that focus is no request to prefetch
  let refocusing = false;

  const set = (patch: Partial<LinkState>, notify = true) => {
    state = { ...state, ...patch };
    if (notify) for (const l of [...listeners]) l();
  };
  const emit: Attempt['emit'] = (event) => call(getOptions().onEvent, event);
  // the request goes out before any app code (onEvent) runs
  const request = () => {
    const pending = source.get(new AbortController().signal);
    emit({ type: 'session_requested' });
    return pending;
  };
  const announce = (s: LinkSession) => emit({ type: 'session_ready', expiresAt: s.expiresAt });
  const ready = (session: LinkSession) =>
    set({ isReady: true, session, status: state.status === 'idle' ? 'ready' : state.status });

  /** Whether a success must wait for the app's server before it is reported (the `confirm` option). */
  const toConfirm = (outcome: LinkOutcome): boolean =>
    outcome.status === 'success' && !outcome.confirmed && getOptions().confirm !== undefined;

  /**
   * Confirms a success with the app's server, then hands the final outcome on. The state is
   * `confirming` meanwhile; a teardown (dispose, reset) drops it and frees the controller, a close
   * cannot undo it.
   */
  function confirmFirst(outcome: LinkSuccess, then: (final: LinkOutcome, error?: LinkError) => void): void {
    const aborter = new AbortController();
    const confirming: Running = {
      stop(close) {
        if (close) return;
        aborter.abort();
        if (running === confirming) running = null;
      },
    };
    running = confirming;
    set({ status: 'confirming', outcome: null, error: null, session: null });
    void confirmOutcome(getOptions().confirm as ConfirmOption, outcome, aborter.signal).then((final) => {
      if (aborter.signal.aborted) return;
      if (running === confirming) running = null;
      then(final.outcome, final.error);
    });
  }

  /**
   * Reports an outcome, the one way every outcome reaches the app: a success to confirm is confirmed
   * first (the UI closes meanwhile); then the state changes (bindings re-enable the trigger before a
   * modal gives focus back to it), the UI closes, the event and the callbacks run, then `after` with
   * the final outcome.
   */
  function report(
    outcome: LinkOutcome,
    error?: LinkError,
    closeUi?: () => void,
    after?: (final: LinkOutcome) => void,
  ): void {
    if (toConfirm(outcome)) {
      confirmFirst(outcome as LinkSuccess, (final, e) => report(final, e, undefined, after));
      closeUi?.();
      return;
    }
    const o = getOptions();
    const err = outcome.status === 'error' ? (error ?? new LinkError(outcome.code, outcome.message)) : null;
    set({ status: outcome.status, outcome, error: err, session: null, isReady: source.peek() !== undefined });
    closeUi?.();
    // the event types `success`, `cancelled` and `error` are the outcome statuses
    emit({ type: outcome.status, outcome } as LinkEvent);
    if (outcome.status === 'success') call(o.onSuccess, outcome);
    else {
      call(o.onExit, outcome);
      if (err) call(o.onError, err);
    }
    after?.(outcome);
  }

  /**
   * One attempt in `makeView`'s mode, started in the click; `fallback` replaces a popup the browser
   * blocked (`auto` mode). The session request leaves first, then the view prepares (the popup opens
   * in the click); app code (the event, state listeners) runs only after both, so it delays neither.
   */
  function start(makeView: ViewFactory, fallback?: ViewFactory): void {
    const cached = source.peek();
    const pending = cached ? null : source.get(new AbortController().signal);
    const cleanups: (() => void)[] = [];
    let ended = false;
    const undo = () => {
      for (const c of cleanups.splice(0)) c();
    };
    const closeUi = () => {
      undo();
      view.close();
    };
    const win = window;
    const attempt: Attempt & Running = {
      id: randomId(),
      nonce: randomId(),
      trigger: win.document.activeElement,
      options: getOptions,
      emit,
      set,
      listen(type, fn, capture) {
        win.addEventListener(type, fn as EventListener, capture);
        cleanups.push(() => win.removeEventListener(type, fn as EventListener, capture));
      },
      after(ms, fn) {
        const t = win.setTimeout(fn, ms);
        cleanups.push(() => win.clearTimeout(t));
      },
      cleanup: (fn) => cleanups.push(fn),
      end(outcome, error, afterSuccess) {
        if (ended) return;
        ended = true;
        if (running === attempt) running = null;
        const hadUi = view.hasUi();
        report(outcome, error, closeUi, (final) => {
          if (hadUi) emit({ type: 'closed' });
          if (final.status === 'success') afterSuccess?.();
        });
      },
      fail(e) {
        const error = asLinkError(e, 'session_request_failed');
        attempt.end(failureOf(error), error);
      },
      current: () => running === attempt,
      renew() {
        source.discard();
        return request().then((s) => {
          source.discard();
          announce(s);
          return s;
        });
      },
      refocus(fn) {
        refocusing = true;
        fn();
        queueMicrotask(() => {
          refocusing = false;
        });
      },
      stop(close) {
        if (close) view.requestExit(true);
        else {
          // torn down: ended without a word
          ended = true;
          running = null;
          closeUi();
        }
        attempt.end({ status: 'cancelled', reason: 'closed' });
      },
    };
    let view: LinkView = makeView(attempt);
    running = attempt;

    const shown = view.prepare(cached?.url);
    if (pending) emit({ type: 'session_requested' });
    // the session stays cached for the next attempt; an attempt that ends here has no one to tell
    const drop = () => void pending?.catch(() => {});
    // that event's handler may have ended the attempt already
    if (running !== attempt) {
      drop();
      return;
    }
    set({ status: 'preparing', outcome: null, error: null, sandbox: null });
    if (!shown) {
      if (!fallback) {
        drop();
        const blocked = new LinkError('popup_blocked');
        attempt.end(failureOf(blocked), blocked);
        return;
      }
      undo();
      view = fallback(attempt);
    }
    const proceed = (s: LinkSession, wasCached: boolean) => {
      // a fetched session is navigated to before app code can delay it
      if (!wasCached && running === attempt) {
        view.navigate(s);
        announce(s);
      }
      if (running !== attempt) return;
      source.discard(); // single use
      set({ status: 'open', session: s, isReady: false });
      view.show(s);
    };
    if (cached) proceed(cached, true);
    else
      pending?.then(
        (s) => proceed(s, false),
        (e: unknown) => {
          if (running === attempt) attempt.fail(e);
        },
      );
  }

  const actions: LinkActions = {
    open() {
      if (isServer) return;
      if (running) return warn('busy');
      const o = getOptions();
      const problem = optionsProblem(o, window.location.origin);
      if (problem) {
        // before any window, storage or request: nothing to undo
        const error = new LinkError('invalid_options', `Invalid oflink options: ${problem}`);
        return report(failureOf(error), error);
      }
      const requested = o.mode ?? 'auto';
      const mode =
        requested !== 'auto' ? requested : window.innerWidth >= AUTO_POPUP_MIN_WIDTH ? 'popup' : 'redirect';
      // the options check refused `embed` mode without its view
      const view =
        mode === 'popup'
          ? popupView
          : mode === 'redirect'
            ? redirectView
            : (o.embed as unknown as ViewFactory);
      start(view, requested === 'auto' && mode === 'popup' ? redirectView : undefined);
    },
    close: () => running?.stop(true),
    reset() {
      running?.stop();
      generation++;
      const session = source.peek() ?? null;
      set({ ...INITIAL, session, isReady: session !== null, status: session ? 'ready' : 'idle' });
    },
    prefetch() {
      if (isServer || running || refocusing) return;
      const problem = optionsProblem(getOptions(), window.location.origin);
      if (problem) return warn('not_prefetching', problem);
      const hit = source.peek();
      if (hit) {
        if (!state.isReady) ready(hit);
        return;
      }
      const gen = ++generation;
      request().then(
        (s) => {
          announce(s);
          if (gen === generation && !running) ready(s);
        },
        (e: unknown) => warn('prefetch_failed', e),
      );
    },
  };
  let state: LinkState & LinkActions = { ...INITIAL, ...actions };
  // a page's first crypto.getRandomValues sets the generator up (about a millisecond in Chromium):
  // it is done here, so the click, which draws the attempt's id and nonce, does not wait on it
  if (!isServer) randomId();

  return {
    ...actions,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /**
     * Reports the outcome of a redirect attempt of this tab, saved by the callback page, once (after
     * confirming it when the callback page did not): on the page the person returns to, by the button
     * or hook that started it. Elsewhere (another button, a page visited on the way back) it stays
     * saved for its own.
     */
    resume() {
      if (isServer || running) return;
      const storage = tabStorage(window);
      if (!storage) return;
      const here = window.location;
      // a redirect record on a page that is not the callback: its attempt came back here another
      // way (Back, a reload, a typed address), so no callback will read it
      if (!new URLSearchParams(here.search).has('status')) storage.removeItem(REDIRECT_KEY);
      const saved = readReturned(storage);
      if (!saved) return;
      if (saved.starter !== undefined && saved.starter !== starterOf(getOptions())) return;
      if (saved.returnTo && new URL(saved.returnTo, here.href).pathname !== here.pathname) return;
      // reported once it is final (confirmed when asked), by whichever controller of the page takes it
      const claim = (final: LinkOutcome, error?: LinkError) => {
        if (takeReturned(storage, saved.id)) report(final, error);
      };
      if (toConfirm(saved.outcome)) confirmFirst(saved.outcome as LinkSuccess, claim);
      else claim(saved.outcome);
    },
    dispose() {
      running?.stop();
      generation++;
      set(INITIAL, false);
    },
  };
}
