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
  LinkActions,
  LinkController,
  LinkControllerOptions,
  LinkEvent,
  LinkOutcome,
  LinkSession,
  LinkState,
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
  // a prefetch the endpoint refused (signed out, rate limited, down) is not sent again at each
  // hover or focus: the next click asks again, and reports what it answers
  let refused = false;

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
  // no attempt and no outcome: ready again when a session is still cached
  const backToIdle = () => {
    const session = source.peek() ?? null;
    set({ ...INITIAL, session, isReady: session !== null, status: session ? 'ready' : 'idle' });
  };

  /**
   * Reports an outcome, the one way every outcome reaches the app. A success to confirm (the
   * `confirm` option) is confirmed with the app's server first: the UI closes, the state is
   * `confirming`, and a teardown (dispose, reset) drops the confirmation and frees the controller
   * (a close cannot undo it). Then `claim` (when given) decides whether this controller still
   * reports it; the state changes (bindings re-enable the trigger before a modal gives focus back
   * to it), the UI closes, the event and the callbacks run, then `after` with the final outcome.
   */
  function report(
    outcome: LinkOutcome,
    error?: LinkError,
    closeUi?: () => void,
    after?: (final: LinkOutcome) => void,
    claim?: () => boolean,
  ): void {
    const o = getOptions();
    if (outcome.status === 'success' && !outcome.confirmed && o.confirm !== undefined) {
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
      void confirmOutcome(o.confirm, outcome, aborter.signal).then((final) => {
        if (aborter.signal.aborted) return;
        if (running === confirming) running = null;
        report(final.outcome, final.error, undefined, after, claim);
      });
      closeUi?.();
      return;
    }
    // another controller of the page took it: this one is free again, not left `confirming`
    if (claim && !claim()) {
      if (state.status === 'confirming') backToIdle();
      return;
    }
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

  const actions: LinkActions = {
    /**
     * One attempt, started in the click. The session request leaves first, then the view prepares
     * (the popup opens in the click); app code (the event, state listeners) runs only after both,
     * so it delays neither. In `auto` mode a redirect replaces a popup the browser blocked.
     */
    open() {
      if (isServer) return;
      if (running) return warn('busy');
      refused = false;
      const o = getOptions();
      const problem = optionsProblem(o, window.location.origin);
      if (problem) {
        // before any window, storage or request: nothing to undo
        const error = new LinkError('invalid_options', `Invalid oflink options: ${problem}`);
        return report(failureOf(error), error);
      }
      const win = window;
      const requested = o.mode ?? 'auto';
      const mode =
        requested !== 'auto' ? requested : win.innerWidth >= AUTO_POPUP_MIN_WIDTH ? 'popup' : 'redirect';
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
      // the options check refused `embed` mode without its view
      let view: LinkView = (
        mode === 'popup'
          ? popupView
          : mode === 'redirect'
            ? redirectView
            : (o.embed as unknown as ViewFactory)
      )(attempt);
      running = attempt;

      const shown = view.prepare(cached?.url);
      if (pending) emit({ type: 'session_requested' });
      // the session stays cached for the next attempt; an attempt that ends here has no one to tell
      const drop = () => void pending?.catch(() => {});
      // that event's handler may have ended the attempt already
      if (running !== attempt) return drop();
      set({ status: 'preparing', outcome: null, error: null, sandbox: null });
      if (!shown) {
        if (requested !== 'auto') {
          drop();
          const blocked = new LinkError('popup_blocked');
          return attempt.end(failureOf(blocked), blocked);
        }
        undo();
        view = redirectView(attempt);
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
    },
    close: () => running?.stop(true),
    reset() {
      running?.stop();
      generation++;
      refused = false;
      backToIdle();
    },
    prefetch() {
      if (isServer || running || refocusing || refused) return;
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
        (e: unknown) => {
          if (gen === generation) refused = true;
          warn('prefetch_failed', e);
        },
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
      report(saved.outcome, undefined, undefined, undefined, () => takeReturned(storage, saved.id));
    },
    dispose() {
      running?.stop();
      generation++;
      refused = false;
      set(INITIAL, false);
    },
  };
}
