// One attempt to connect: from the click to its one outcome. It owns the attempt's id and nonce,
// its cleanups and the "ended once" guard, and drives one view (popup, redirect or embed) through
// the small LinkView interface. State, subscriptions and the outcome fan-out are the controller's.

import type { LinkControllerOptions, LinkState } from './controller';
import { randomId } from './env';
import { LinkError } from './LinkError';
import type { SessionSource } from './sessionSource';
import type { LinkCancelled, LinkEvent, LinkMode, LinkOutcome, LinkSession } from './types';

/** What an attempt needs from its controller. */
export interface AttemptHost {
  options(): LinkControllerOptions;
  source: SessionSource;
  emit(event: LinkEvent): void;
  patch(patch: Partial<LinkState>): void;
  /** Requests a session now; the request leaves before any app code runs. */
  startSession(): Promise<LinkSession>;
  /** Announces a session the attempt acted on (`session_ready`). */
  announce(session: LinkSession): void;
  /** `attempt` is now the controller's running attempt. */
  begin(attempt: RunningAttempt): void;
  /** Whether `attempt` is still the controller's running attempt. */
  isCurrent(attempt: RunningAttempt): boolean;
  /** The attempt ended: the controller has none running any more. */
  release(attempt: RunningAttempt): void;
  /**
   * Reports an outcome: a success is confirmed first when asked; the state changes, `closeUi`
   * runs, then the callbacks, then `afterwards` with the final outcome.
   */
  conclude(
    outcome: LinkOutcome,
    error: LinkError | undefined,
    closeUi: () => void,
    afterwards: (final: LinkOutcome) => void,
  ): void;
  /** Runs `fn` while focus returns to the trigger (that focus is no request to prefetch). */
  returningFocus(fn: () => void): void;
}

/** The handle the controller keeps of its running attempt. */
export interface RunningAttempt {
  /** `true`: end it as cancelled (`closed`); else tear it down without callbacks. */
  stop(close?: boolean): void;
}

/** What a view gets from its attempt. */
export interface AttemptContext {
  readonly win: Window;
  readonly id: string;
  readonly nonce: string;
  /** The element focused at the click, which gets focus back when a modal closes. */
  readonly trigger: Element | null;
  readonly host: AttemptHost;
  /** A window listener, removed when the attempt's UI closes. */
  listen(type: string, fn: (e: never) => void, capture?: boolean): void;
  /** A timer, cleared when the attempt's UI closes. */
  after(ms: number, fn: () => void): void;
  /** Runs `fn` when the attempt's UI closes. */
  onCleanup(fn: () => void): void;
  /** Ends the attempt, once; `afterSuccess` runs after a success was reported. */
  end(outcome: LinkOutcome, error?: LinkError, afterSuccess?: () => void): void;
  /** Ends the attempt with the error a failed session request gave. */
  fail(e: unknown): void;
  isCurrent(): boolean;
}

/** One way of showing Link: a popup window, a full-page redirect or an embedded modal. */
export interface LinkView {
  /** Runs in the click, before the session is known; false when the browser refused (a blocked popup). */
  prepare(cachedUrl: string | undefined): boolean;
  /** A fetched session arrived: navigate at once, before app code runs and could delay it. */
  navigate(session: LinkSession): void;
  /** Shows the session and reports `opened` (or ends the attempt when it cannot). */
  show(session: LinkSession): void;
  /** Asks the hosted page to end itself; false when it cannot be asked. */
  requestExit(force: boolean): boolean;
  /** Whether a window or modal was shown (a `closed` event then follows the outcome). */
  hasUi(): boolean;
  /** Closes what the view shows. */
  close(): void;
}

/** Makes the view of a mode. */
export type ViewFactory = (ctx: AttemptContext) => LinkView;

/**
 * The embedded modal's view, as `@oflink/core/embed` exports it: an opaque value to pass as the
 * `embed` option; apps that never show the modal never import it, so they ship none of its code.
 * @example
 * import { embed } from '@oflink/core/embed';
 * createLinkController(() => ({ mode: 'embed', embed }), source);
 */
export interface LinkEmbed {
  readonly [embedBrand]: true;
}
declare const embedBrand: unique symbol;

/** The view behind a {@link LinkEmbed}. */
export const viewOf = (embed: LinkEmbed): ViewFactory => embed as unknown as ViewFactory;

/** Screens at least this wide get a popup in `auto` mode; narrower ones a redirect. */
export const AUTO_POPUP_MIN_WIDTH = 640;

export const cancelled = (reason: LinkCancelled['reason']): LinkCancelled => ({
  status: 'cancelled',
  reason,
});

/** The mode an attempt starts in: `auto` is a popup on wide screens, else a redirect. */
export function startMode(requested: LinkMode, win: Window): Exclude<LinkMode, 'auto'> {
  if (requested !== 'auto') return requested;
  return win.innerWidth >= AUTO_POPUP_MIN_WIDTH ? 'popup' : 'redirect';
}

/** What an attempt changes as it runs: whether it ended, the view it drives, what to undo. */
interface AttemptState {
  ended: boolean;
  view: LinkView;
  readonly cleanups: (() => void)[];
}

function runCleanups(state: AttemptState): void {
  for (const c of state.cleanups.splice(0)) c();
}

/** The failure of a session request, as the error outcome it ends the attempt with. */
function sessionFailure(e: unknown): LinkError {
  return e instanceof LinkError
    ? e
    : new LinkError('session_request_failed', e instanceof Error ? e.message : String(e));
}

function makeContext(
  host: AttemptHost,
  running: RunningAttempt,
  state: AttemptState,
  end: AttemptContext['end'],
): AttemptContext {
  const win = window;
  return {
    win,
    id: randomId(),
    nonce: randomId(),
    trigger: win.document.activeElement,
    host,
    listen(type, fn, capture) {
      win.addEventListener(type, fn as EventListener, capture);
      state.cleanups.push(() => win.removeEventListener(type, fn as EventListener, capture));
    },
    after(ms, fn) {
      const t = win.setTimeout(fn, ms);
      state.cleanups.push(() => win.clearTimeout(t));
    },
    onCleanup: (fn) => state.cleanups.push(fn),
    end,
    fail(e) {
      const err = sessionFailure(e);
      end({ status: 'error', code: err.code, message: err.message }, err);
    },
    isCurrent: () => host.isCurrent(running),
  };
}

/**
 * Starts an attempt in `view`'s mode; `fallback` replaces a popup the browser blocked in `auto`
 * mode. Call it synchronously in the click handler.
 */
export function startAttempt(
  host: AttemptHost,
  makeView: ViewFactory,
  fallback?: ViewFactory,
): RunningAttempt {
  const [cached, pending] = requestFirst(host);
  // its view is made from the context, made from this state: it is set below
  const state = { ended: false, cleanups: [] } as unknown as AttemptState;
  const closeUi = () => {
    runCleanups(state);
    state.view.close();
  };
  const end: AttemptContext['end'] = (outcome, error, afterSuccess) => {
    if (state.ended) return;
    state.ended = true;
    host.release(running);
    const hadUi = state.view.hasUi();
    host.conclude(outcome, error, closeUi, (final) => {
      if (hadUi) host.emit({ type: 'closed' });
      if (final.status === 'success') afterSuccess?.();
    });
  };
  const running: RunningAttempt = {
    stop(close) {
      if (close) state.view.requestExit(true);
      else {
        state.ended = true;
        host.release(running);
        closeUi();
      }
      end(cancelled('closed')); // only when closing: a torn-down attempt has ended already
    },
  };
  const ctx = makeContext(host, running, state, end);
  state.view = makeView(ctx);
  host.begin(running);
  inTheClick(ctx, state, fallback, cached, pending);
  return running;
}

/** The click's first work: a session at hand, or a request that leaves before anything else runs. */
function requestFirst(host: AttemptHost): [LinkSession | undefined, Promise<LinkSession> | null] {
  const cached = host.source.peek();
  return [cached, cached ? null : host.source.get(new AbortController().signal)];
}

/**
 * The click's work once the session request left: the window opens; app code (the event, state
 * listeners) runs only after both, so it delays neither.
 */
function inTheClick(
  ctx: AttemptContext,
  state: AttemptState,
  fallback: ViewFactory | undefined,
  cached: LinkSession | undefined,
  pending: Promise<LinkSession> | null,
): void {
  const { host } = ctx;
  const shown = state.view.prepare(cached?.url);
  if (pending) host.emit({ type: 'session_requested' });
  // the session stays cached for the next attempt; when the attempt ends here, its failure has
  // no one to tell
  const drop = () => void pending?.catch(() => {});
  if (!ctx.isCurrent()) {
    drop(); // that event's handler ended the attempt already
    return;
  }
  host.patch(PREPARING);
  if (!shown && !replaceBlocked(ctx, state, fallback)) {
    drop();
    return;
  }
  if (cached) proceed(ctx, state, cached, true);
  else
    pending?.then(
      (s) => proceed(ctx, state, s, false),
      (e: unknown) => {
        if (ctx.isCurrent()) ctx.fail(e);
      },
    );
}

const PREPARING: Partial<LinkState> = { status: 'preparing', outcome: null, error: null, sandbox: null };

const SHORT_BLOCKED = 'The browser blocked the popup.';

/** A blocked popup: switches to the fallback view, or ends the attempt when there is none. */
function replaceBlocked(
  ctx: AttemptContext,
  state: AttemptState,
  fallback: ViewFactory | undefined,
): boolean {
  if (!fallback) {
    let message = SHORT_BLOCKED;
    try {
      // development builds only: bundlers drop this branch from production ones
      if (process.env.NODE_ENV !== 'production')
        message +=
          ' Call open() directly in a click handler, allow popups, or use mode "redirect" or "embed".';
    } catch {
      // native ES modules without a bundler: no process, the short message
    }
    const blocked = new LinkError('popup_blocked', message);
    ctx.end({ status: 'error', code: 'popup_blocked', message: SHORT_BLOCKED }, blocked);
    return false;
  }
  runCleanups(state);
  state.view = fallback(ctx);
  return true;
}

/** The session is known: a fetched one is navigated to before app code can delay it, then shown. */
function proceed(ctx: AttemptContext, state: AttemptState, s: LinkSession, wasCached: boolean): void {
  const { host } = ctx;
  if (!wasCached && ctx.isCurrent()) {
    state.view.navigate(s);
    host.announce(s);
  }
  if (!ctx.isCurrent()) return; // ended (an ended attempt is never current), maybe by that onEvent
  host.source.discard(); // single use
  host.patch({ status: 'open', session: s, isReady: false });
  state.view.show(s);
}
