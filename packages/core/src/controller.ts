import { type ExitRequest, LINK_MESSAGE_TYPE } from '@oflink/protocol';
import { safeReturnPath } from './callback';
import { type ConfirmOption, confirmOutcome } from './confirm';
import { type Embed, embedUrl, mountEmbed } from './embed';
import { isServer, randomId, warn } from './env';
import { LinkError } from './LinkError';
import { acceptLinkMessage, type LinkMessage, parseLinkMessage } from './messages';
import { optionsProblem } from './options';
import { exitOutcome, successOutcome } from './outcome';
import { openPopup } from './popup';
import {
  channelName,
  POPUP_KEY,
  parseRelay,
  REDIRECT_KEY,
  RELAY_TYPE,
  readReturned,
  takeReturned,
} from './relay';
import type { SessionRequestOptions, SessionSource } from './sessionSource';
import type {
  LinkCancelled,
  LinkEvent,
  LinkFailure,
  LinkMode,
  LinkOutcome,
  LinkSession,
  LinkStatus,
  LinkSuccess,
  LinkTheme,
  SandboxInfo,
} from './types';

/** After `popup.closed` reads true, wait this long for a relay before reporting `closed` (COOP can fake `closed`). */
export const POPUP_CLOSE_GRACE_MS = 3000;
/** Screens at least this wide get a popup in `auto` mode; narrower ones a redirect. */
export const AUTO_POPUP_MIN_WIDTH = 640;

/** Everything a controller (and `useLinkSession`) can be told. */
export interface LinkControllerOptions extends SessionRequestOptions {
  /** How the hosted page is shown. @defaultValue 'auto' */
  mode?: LinkMode;
  /** Theme of the embedded page. @defaultValue 'auto' */
  theme?: LinkTheme;
  /** When to fetch the session ahead of the click: at mount (`true`), on hover/focus, or never. @defaultValue 'hover' */
  prefetch?: boolean | 'hover';
  /** Redirect mode: same-origin path the callback page sends the person back to. @defaultValue the current path */
  returnTo?: string;
  /** z-index of the embed modal. */
  zIndex?: number;
  /** Popup mode: how long to wait for the relay after the popup reads as closed. @defaultValue 3000 */
  popupCloseGraceMs?: number;
  /**
   * Confirm a success with your server before it is reported: the URL of your confirm endpoint
   * (`createConfirmHandler` of `@oflink/server`), or a function that resolves when confirmed and
   * throws when not. The state is `confirming` meanwhile; `onSuccess` then gets `confirmed: true`,
   * and a refusal ends the attempt as an error with the server's code. In redirect mode the page the
   * person returns to does this (see `resume`).
   * @defaultValue undefined (successes are reported unconfirmed)
   */
  confirm?: ConfirmOption;
  /** A connection was made (confirm it on your server before trusting it). */
  onSuccess?: (outcome: LinkSuccess) => void;
  /** The attempt ended without a connection. */
  onExit?: (outcome: LinkCancelled | LinkFailure) => void;
  /** Something failed (session request, blocked popup, error outcome). */
  onError?: (error: LinkError) => void;
  /** Every lifecycle event, in order. */
  onEvent?: (event: LinkEvent) => void;
}

/** A controller's observable state. */
export interface LinkState {
  /** Where the controller is in its lifecycle. */
  status: LinkStatus;
  /** The last attempt's outcome. */
  outcome: LinkOutcome | null;
  /** The last failure. */
  error: LinkError | null;
  /** The session being opened, or the prefetched one. */
  session: LinkSession | null;
  /** True when a fresh session is cached, so a click opens instantly. */
  isReady: boolean;
  /** Sandbox credentials reported by an embedded sandbox session. */
  sandbox: SandboxInfo | null;
}

/** Drives Link attempts; framework bindings subscribe to it. */
export interface LinkController {
  /** Current state (a new object after each change, the same object otherwise). */
  getState(): LinkState;
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Starts an attempt. Call it synchronously inside a click handler (popups need it). Options outside
   * their types end the attempt at once as an `invalid_options` error (before any window or request).
   */
  open(): void;
  /** Ends the current attempt as cancelled (`closed`). */
  close(): void;
  /** Drops the current attempt without callbacks and returns to `idle`. */
  reset(): void;
  /** Fetches a session ahead of the click. */
  prefetch(): void;
  /**
   * Reports the outcome of a redirect attempt of this tab, saved by the callback page, once (after
   * confirming it with the `confirm` option when the callback page did not). Call it when the page
   * mounts; it does nothing when there is none.
   */
  resume(): void;
  /** Tears everything down silently (unmount): closes windows, removes listeners and timers. */
  dispose(): void;
}

const INITIAL: LinkState = {
  status: 'idle',
  outcome: null,
  error: null,
  session: null,
  isReady: false,
  sandbox: null,
};

const cancelled = (reason: LinkCancelled['reason']): LinkCancelled => ({ status: 'cancelled', reason });

/**
 * An embedded success with `redirect: true` names where to go next. The frame is not the app: it
 * may send the person only to a page of the app's own origin (its callback URL), never elsewhere.
 */
function followSuccessUrl(win: Window, target: string): void {
  let url: URL | null = null;
  try {
    url = new URL(target);
  } catch {
    url = null;
  }
  if (url && url.origin === win.location.origin) win.location.assign(url.href);
  else {
    try {
      if (process.env.NODE_ENV !== 'production')
        warn('Ignored the successUrl of an embedded success: it is not on this app’s origin.');
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
  }
}

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
  let state = INITIAL;
  const listeners = new Set<() => void>();
  // the running attempt: called with `true` it closes it (cancelled/closed), else tears it down silently
  let attempt: ((close?: boolean) => void) | null = null;
  let generation = 0;

  const set = (patch: Partial<LinkState>, notify = true) => {
    state = { ...state, ...patch };
    if (notify) for (const l of [...listeners]) l();
  };
  // callbacks are only called when they are functions: a wrong one is reported, never thrown on
  const call = <T>(fn: ((arg: T) => void) | undefined, arg: T) => {
    if (typeof fn === 'function') fn(arg);
  };
  const emit = (event: LinkEvent) => call(getOptions().onEvent, event);

  // the request goes out before any app code (onEvent) runs; `session_ready` is for the caller to
  // announce once it has acted on the session (the popup navigates before app code can delay it)
  const startSession = (): Promise<LinkSession> => {
    const pending = source.get(new AbortController().signal);
    emit({ type: 'session_requested' });
    return pending;
  };
  const announce = (s: LinkSession) => emit({ type: 'session_ready', expiresAt: s.expiresAt });

  // the outcome's state first: bindings re-enable the trigger before a modal gives focus back to it
  const settle = (outcome: LinkOutcome, error?: LinkError): LinkError | null => {
    const err = outcome.status === 'error' ? (error ?? new LinkError(outcome.code, outcome.message)) : null;
    set({ status: outcome.status, outcome, error: err, session: null, isReady: source.peek() !== undefined });
    return err;
  };
  const announceOutcome = (outcome: LinkOutcome, err: LinkError | null) => {
    const o = getOptions();
    // the event types `success`, `cancelled` and `error` are the outcome statuses
    emit({ type: outcome.status, outcome } as LinkEvent);
    if (outcome.status === 'success') call(o.onSuccess, outcome);
    else {
      call(o.onExit, outcome);
      if (err) call(o.onError, err);
    }
  };
  // a success waits for the app's server; reset/dispose drop it silently, close() cannot undo it
  const confirmFirst = (
    outcome: LinkSuccess,
    confirm: ConfirmOption,
    then: (o: LinkOutcome, error?: LinkError) => void,
  ) => {
    const aborter = new AbortController();
    const pending = (close?: boolean) => {
      if (!close) aborter.abort();
    };
    attempt = pending;
    set({ status: 'confirming', outcome: null, error: null, session: null });
    confirmOutcome(confirm, outcome, aborter.signal).then((final) => {
      if (aborter.signal.aborted) return;
      if (attempt === pending) attempt = null;
      then(final.outcome, final.error);
    });
  };
  // set while the modal hands focus back to the trigger: that focus is not a person asking to prefetch
  let returningFocus = false;

  const ready = (session: LinkSession) =>
    set({ isReady: true, session, status: state.status === 'idle' ? 'ready' : state.status });

  const open = () => {
    if (isServer) return;
    if (attempt) {
      try {
        if (process.env.NODE_ENV !== 'production')
          warn('open() was called while an attempt is already running; ignored. Call close() first.');
      } catch {
        // native ES modules without a bundler: no process, no development message
      }
      return;
    }
    const win = window;
    const storage = (kind: 'sessionStorage') => win[kind];
    const requested = getOptions().mode ?? 'auto';
    let mode =
      requested === 'auto' ? (win.innerWidth >= AUTO_POPUP_MIN_WIDTH ? 'popup' : 'redirect') : requested;
    const id = randomId();
    const nonce = randomId();
    const trigger = win.document.activeElement;
    const cleanups: (() => void)[] = [];
    let ended = false;
    let popup: Window | null = null;
    let embed: Embed | null = null;
    let session: LinkSession | null = null;
    let loaded = false;
    let loadedReported = false;
    let renewed = false;

    const isCurrent = () => attempt === stop;
    const cleanup = () => {
      for (const c of cleanups.splice(0)) c();
    };
    const listen = (type: string, fn: (e: never) => void, capture?: boolean) => {
      win.addEventListener(type, fn as EventListener, capture);
      cleanups.push(() => win.removeEventListener(type, fn as EventListener, capture));
    };
    const after = (ms: number, fn: () => void) => {
      const t = win.setTimeout(fn, ms);
      cleanups.push(() => win.clearTimeout(t));
    };

    const closeUi = () => {
      cleanup();
      try {
        if (popup && !popup.closed) popup.close();
      } catch {
        // severed handle
      }
      if (embed) {
        // the modal gives focus back in a microtask queued by destroy(); ours runs after it
        returningFocus = true;
        embed.destroy();
        queueMicrotask(() => {
          returningFocus = false;
        });
      }
      embed = null;
    };
    const teardown = () => {
      ended = true;
      if (isCurrent()) attempt = null;
      closeUi();
    };

    const end = (outcome: LinkOutcome, error?: LinkError, navigateTo?: string) => {
      if (ended) return;
      ended = true;
      if (isCurrent()) attempt = null;
      const hadUi = popup !== null || embed !== null;
      const finish = (final: LinkOutcome, err: LinkError | null) => {
        announceOutcome(final, err);
        if (hadUi) emit({ type: 'closed' });
        if (final.status === 'success' && navigateTo) followSuccessUrl(win, navigateTo);
      };
      const confirm = getOptions().confirm;
      if (outcome.status === 'success' && !outcome.confirmed && confirm !== undefined) {
        confirmFirst(outcome, confirm, (final, error) => finish(final, settle(final, error)));
        closeUi();
        return;
      }
      const err = settle(outcome, error);
      closeUi();
      finish(outcome, err);
    };

    const fail = (e: unknown) => {
      const err =
        e instanceof LinkError
          ? e
          : new LinkError('session_request_failed', e instanceof Error ? e.message : String(e));
      end({ status: 'error', code: err.code, message: err.message }, err);
    };

    const onRelay = (data: unknown) => {
      const outcome = parseRelay(data, id, nonce);
      if (outcome) end(outcome);
      else {
        try {
          if (process.env.NODE_ENV !== 'production')
            warn(
              'Ignored a callback relay that does not match this attempt (wrong id or nonce, or an ended attempt).',
            );
        } catch {
          // native ES modules without a bundler: no process, no development message
        }
      }
    };

    const listenRelay = () => {
      listen('message', (e: MessageEvent) => {
        if (e.origin === win.location.origin && (e.data as { type?: unknown } | null)?.type === RELAY_TYPE)
          onRelay(e.data);
      });
      if (typeof BroadcastChannel !== 'undefined') {
        const bc = new BroadcastChannel(channelName(win.location.origin));
        bc.onmessage = (e) => {
          if ((e.data as { id?: unknown } | null)?.id === id) onRelay(e.data);
        };
        cleanups.push(() => bc.close());
      }
    };

    const watchPopup = () => {
      const grace = getOptions().popupCloseGraceMs ?? POPUP_CLOSE_GRACE_MS;
      // `closed` reads true both when the person closed the popup and when Cross-Origin-Opener-Policy
      // on a hosted page (at any step) severed the handle while they work on in the popup. Believe it
      // once they are back here (a real close hands focus back to this window, often before the poll
      // sees it), then give the relay the grace period to arrive: it usually comes first.
      let closed = false;
      let backSinceLastSeenOpen = false;
      let graceStarted = false;
      const startGrace = () => {
        if (graceStarted) return;
        graceStarted = true;
        after(grace, () => end(cancelled('closed')));
      };
      const back = () => {
        backSinceLastSeenOpen = true;
        if (closed) startGrace();
      };
      for (const t of ['focus', 'pointerdown', 'keydown']) listen(t, back, true);
      const poll = win.setInterval(() => {
        if (popup && !popup.closed) {
          backSinceLastSeenOpen = false;
          return;
        }
        win.clearInterval(poll);
        closed = true;
        if (backSinceLastSeenOpen) startGrace();
      }, 300);
      cleanups.push(() => win.clearInterval(poll));
    };

    const handleMessage = (m: LinkMessage) => {
      switch (m.event) {
        case 'loaded':
          loaded = true;
          // once per attempt, as OFAuth's library reports it, however often the page (or a renewed session) says so
          if (!loadedReported) emit({ type: 'loaded' });
          loadedReported = true;
          return;
        case 'sandbox_info':
          set({ sandbox: m.info });
          emit({ type: 'sandbox_info', info: m.info });
          return;
        case 'success':
          end(successOutcome(m), undefined, m.redirect ? m.successUrl : undefined);
          return;
        case 'exit':
          end(exitOutcome(m.exit));
          return;
        case 'invalid_session':
          if (renewed) {
            end({
              status: 'error',
              code: 'invalid_session',
              message: 'The Link session expired twice. Try again.',
            });
            return;
          }
          renewed = true;
          loaded = false;
          source.discard();
          startSession().then((s) => {
            if (!isCurrent() || !embed) return;
            source.discard();
            session = s;
            set({ session: s });
            embed.load(embedUrl(s.url, win.location.origin, getOptions().theme));
            announce(s);
            emit({ type: 'session_renewed', expiresAt: s.expiresAt });
          }, fail);
      }
    };

    const requestExit = (force: boolean) => {
      const target = embed?.frame.contentWindow;
      if (!loaded || !target || !session) return false;
      target.postMessage(
        { type: LINK_MESSAGE_TYPE, event: 'exit_requested', force } satisfies ExitRequest,
        new URL(session.url).origin,
      );
      return true;
    };

    const mountFrame = (s: LinkSession) => {
      listen('message', (e: MessageEvent) => {
        if ((e.data as { type?: unknown } | null)?.type !== LINK_MESSAGE_TYPE || !session) return;
        const frame = embed?.frame.contentWindow;
        // exactly the session's origin and the frame's window (acceptLinkMessage, without its reasons)
        const m =
          frame && e.source === frame && e.origin === new URL(session.url).origin
            ? parseLinkMessage(e.data)
            : null;
        if (m) handleMessage(m);
        else {
          try {
            if (process.env.NODE_ENV !== 'production')
              warn(
                `Ignored an OFAUTH_LINK message because ${(acceptLinkMessage(e, session.url, frame) as { ignored: string }).ignored}.`,
              );
          } catch {
            // native ES modules without a bundler: no process, no development message
          }
        }
      });
      const o = getOptions();
      const embedOptions: { zIndex?: number; returnFocus: Element | null; onEscape: () => void } = {
        returnFocus: trigger,
        onEscape: () => {
          if (!requestExit(false)) return end(cancelled('user'));
          // the page answers with an `exit` message; if it does not, close anyway
          after(2000, () => end(cancelled('user')));
        },
      };
      if (o.zIndex !== undefined) embedOptions.zIndex = o.zIndex;
      embed = mountEmbed(win.document, embedUrl(s.url, win.location.origin, o.theme), embedOptions);
    };

    const proceed = (s: LinkSession) => {
      // a cached session was opened directly; a fetched one: the loading document goes to it first,
      // before app code (events, state listeners) runs and could delay the navigation
      if (s !== cached && isCurrent()) {
        if (mode === 'popup' && popup && !popup.closed) popup.location.replace(s.url);
        announce(s);
      }
      if (!isCurrent()) return; // ended (an ended attempt is never current), maybe by that onEvent
      source.discard(); // single use
      session = s;
      set({ status: 'open', session: s, isReady: false });
      if (mode === 'popup') {
        if (!popup || popup.closed) return end(cancelled('closed'));
        watchPopup();
      } else if (mode === 'embed') {
        mountFrame(s);
      } else {
        const loc = win.location;
        // a checked option, else the current page (null when its path could read as another host)
        const returnTo = safeReturnPath(
          getOptions().returnTo ?? loc.pathname + loc.search + loc.hash,
          loc.origin,
        );
        try {
          storage('sessionStorage').setItem(REDIRECT_KEY, JSON.stringify({ id, returnTo, at: Date.now() }));
        } catch {
          try {
            if (process.env.NODE_ENV !== 'production')
              warn('sessionStorage is unavailable: the callback page will not know where to return.');
          } catch {
            // native ES modules without a bundler: no process, no development message
          }
        }
        emit({ type: 'opened', mode: 'redirect' });
        loc.assign(s.url);
        return;
      }
      emit({ type: 'opened', mode });
    };

    const stop = (close?: boolean) => {
      if (!close) return teardown();
      requestExit(true);
      end(cancelled('closed'));
    };
    const problem = optionsProblem(getOptions(), win.location.origin);
    if (problem) {
      // before any window, storage or request: nothing to undo
      const message = `Invalid oflink options: ${problem}`;
      end({ status: 'error', code: 'invalid_options', message }, new LinkError('invalid_options', message));
      return;
    }
    attempt = stop;
    // the session request starts first (before state listeners and window.open run), so its round
    // trip overlaps them instead of waiting for them
    const cached = source.peek();
    const pending = cached ? null : startSession();
    set({ status: 'preparing', outcome: null, error: null, sandbox: null });
    if (mode === 'popup') {
      // the record must exist before window.open: the browser copies this tab's sessionStorage into
      // the popup then, and only that copy lets the callback page relay (never a page another site opened)
      const record = JSON.stringify({ id, nonce, at: Date.now() });
      try {
        storage('sessionStorage').setItem(POPUP_KEY, record);
      } catch {
        try {
          if (process.env.NODE_ENV !== 'production')
            warn('sessionStorage is unavailable: the popup callback cannot relay its result.');
        } catch {
          // native ES modules without a bundler: no process, no development message
        }
      }
      cleanups.push(() => {
        try {
          const s = storage('sessionStorage');
          if (s.getItem(POPUP_KEY) === record) s.removeItem(POPUP_KEY);
        } catch {
          // storage unavailable
        }
      });
      // a session already at hand opens directly: one navigation, no loading document in between
      popup = openPopup(win, `oflink_${id.slice(0, 8)}`, cached?.url);
      if (popup) listenRelay();
      else if (requested === 'auto') {
        cleanup();
        mode = 'redirect';
      } else {
        end(
          { status: 'error', code: 'popup_blocked', message: 'The browser blocked the popup.' },
          new LinkError(
            'popup_blocked',
            'The browser blocked the popup. Call open() directly in a click handler, allow popups, or use mode "redirect" or "embed".',
          ),
        );
        // the session stays cached for the next attempt; its failure has no one to tell
        pending?.catch(() => {});
        return;
      }
    }
    if (cached) proceed(cached);
    else
      pending?.then(proceed, (e: unknown) => {
        if (isCurrent()) fail(e);
      });
  };

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    open,
    close() {
      attempt?.(true);
    },
    reset() {
      attempt?.();
      generation++;
      const session = source.peek() ?? null;
      set({ ...INITIAL, session, isReady: session !== null, status: session ? 'ready' : 'idle' });
    },
    prefetch() {
      if (isServer || attempt || returningFocus) return;
      const problem = optionsProblem(getOptions(), window.location.origin);
      if (problem) {
        try {
          if (process.env.NODE_ENV !== 'production') warn(`Not prefetching: ${problem}`);
        } catch {
          // native ES modules without a bundler: no process, no development message
        }
        return;
      }
      const hit = source.peek();
      if (hit) {
        if (!state.isReady) ready(hit);
        return;
      }
      const gen = ++generation;
      startSession().then(
        (s) => {
          announce(s);
          if (gen !== generation || attempt) return;
          ready(s);
        },
        (e: unknown) => {
          try {
            if (process.env.NODE_ENV !== 'production')
              warn(
                `Prefetching the session failed (${e instanceof Error ? e.message : String(e)}); a click will retry.`,
              );
          } catch {
            // native ES modules without a bundler: no process, no development message
          }
        },
      );
    },
    resume() {
      if (isServer || attempt) return;
      let storage: Storage;
      try {
        storage = window.sessionStorage;
      } catch {
        return;
      }
      const saved = readReturned(storage);
      if (!saved) return;
      const report = (final: LinkOutcome, error?: LinkError) => {
        // another controller of the page may have reported it meanwhile
        if (takeReturned(storage, saved.id)) announceOutcome(final, settle(final, error));
      };
      const confirm = getOptions().confirm;
      const { outcome } = saved;
      if (outcome.status === 'success' && !outcome.confirmed && confirm !== undefined)
        confirmFirst(outcome, confirm, report);
      else report(outcome);
    },
    dispose() {
      attempt?.();
      generation++;
      set(INITIAL, false);
    },
  };
}
