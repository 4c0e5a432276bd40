import { type Embed, embedUrl, mountEmbed } from './embed';
import { isServer, randomId, warn } from './env';
import { LinkError } from './LinkError';
import { acceptLinkMessage, type LinkMessage } from './messages';
import { openPopup } from './popup';
import {
  ATTEMPT_PREFIX,
  channelName,
  POPUP_KEY,
  parseRelay,
  REDIRECT_KEY,
  RELAY_TYPE,
  readRecord,
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
  /** Starts an attempt. Call it synchronously inside a click handler (popups need it). */
  open(): void;
  /** Ends the current attempt as cancelled (`closed`). */
  close(): void;
  /** Drops the current attempt without callbacks and returns to `idle`. */
  reset(): void;
  /** Fetches a session ahead of the click. */
  prefetch(): void;
  /** Tears everything down silently (unmount): closes windows, removes listeners and timers. */
  dispose(): void;
}

interface Attempt {
  id: string;
  nonce: string;
  mode: 'popup' | 'embed' | 'redirect';
  ended: boolean;
  popup: Window | null;
  embed: Embed | null;
  session: LinkSession | null;
  loaded: boolean;
  renewed: boolean;
  trigger: Element | null;
  cleanups: (() => void)[];
}

const INITIAL: LinkState = {
  status: 'idle',
  outcome: null,
  error: null,
  session: null,
  isReady: false,
  sandbox: null,
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
  let state = INITIAL;
  const listeners = new Set<() => void>();
  let attempt: Attempt | null = null;
  let generation = 0;

  const set = (patch: Partial<LinkState>, notify = true) => {
    state = { ...state, ...patch };
    if (notify) for (const l of [...listeners]) l();
  };
  const emit = (event: LinkEvent) => getOptions().onEvent?.(event);

  const getSession = (a: Attempt | null): Promise<LinkSession> => {
    emit({ type: 'session_requested' });
    return source.get(new AbortController().signal).then((s) => {
      if (!a || attempt === a) emit({ type: 'session_ready', expiresAt: s.expiresAt });
      return s;
    });
  };

  const teardown = (a: Attempt) => {
    a.ended = true;
    if (attempt === a) attempt = null;
    for (const c of a.cleanups.splice(0)) c();
    try {
      if (a.popup && !a.popup.closed) a.popup.close();
    } catch {
      // severed handle
    }
    a.embed?.destroy();
    a.embed = null;
  };

  const end = (a: Attempt, outcome: LinkOutcome, error?: LinkError, navigateTo?: string) => {
    if (a.ended) return;
    a.ended = true;
    if (attempt === a) attempt = null;
    const hadUi = a.popup !== null || a.embed !== null;
    const err = outcome.status === 'error' ? (error ?? new LinkError(outcome.code, outcome.message)) : null;
    // state before teardown: bindings re-enable the trigger before the modal gives focus back to it
    set({ status: outcome.status, outcome, error: err, session: null, isReady: source.peek() !== undefined });
    teardown(a);
    const o = getOptions();
    if (outcome.status === 'success') {
      emit({ type: 'success', outcome });
      o.onSuccess?.(outcome);
    } else {
      emit(outcome.status === 'error' ? { type: 'error', outcome } : { type: 'cancelled', outcome });
      o.onExit?.(outcome);
      if (err) o.onError?.(err);
    }
    if (hadUi) emit({ type: 'closed' });
    if (navigateTo && /^https?:\/\//i.test(navigateTo)) window.location.assign(navigateTo);
  };

  const fail = (a: Attempt, e: unknown) => {
    const err =
      e instanceof LinkError
        ? e
        : new LinkError('session_request_failed', e instanceof Error ? e.message : String(e));
    end(a, { status: 'error', code: err.code, message: err.message }, err);
  };

  const listenRelay = (a: Attempt) => {
    const win = window;
    const onRelay = (data: unknown) => {
      const outcome = parseRelay(data, a.id, a.nonce);
      if (outcome) end(a, outcome);
      else
        process.env.NODE_ENV !== 'production' &&
          warn(
            'Ignored a callback relay that does not match this attempt (wrong id or nonce, or an ended attempt).',
          );
    };
    const onMessage = (e: MessageEvent) => {
      if (e.origin === win.location.origin && (e.data as { type?: unknown } | null)?.type === RELAY_TYPE)
        onRelay(e.data);
    };
    win.addEventListener('message', onMessage);
    a.cleanups.push(() => win.removeEventListener('message', onMessage));
    if (typeof BroadcastChannel !== 'undefined') {
      const bc = new BroadcastChannel(channelName(win.location.origin));
      bc.onmessage = (e) => {
        if ((e.data as { id?: unknown } | null)?.id === a.id) onRelay(e.data);
      };
      a.cleanups.push(() => bc.close());
    }
  };

  const watchPopup = (a: Attempt) => {
    const win = window;
    const grace = getOptions().popupCloseGraceMs ?? POPUP_CLOSE_GRACE_MS;
    // `live`: the popup was seen open on a cross-origin page (its document is unreadable), so the
    // hosted page did not sever the handle and a later `closed` is a real close.
    let live = false;
    const startGrace = () => {
      const t = win.setTimeout(() => end(a, { status: 'cancelled', reason: 'closed' }), grace);
      a.cleanups.push(() => win.clearTimeout(t));
    };
    const poll = win.setInterval(() => {
      const popup = a.popup;
      if (popup && !popup.closed) {
        try {
          void popup.document.body;
        } catch {
          live = true;
        }
        return;
      }
      win.clearInterval(poll);
      if (live) return startGrace();
      // Never seen live: Cross-Origin-Opener-Policy on the hosted page severed the handle, which
      // now reads closed while the person works on in the popup. Believe it once they are back here
      // (a real close returns focus to this window); the relay usually comes first.
      const types = ['focus', 'pointerdown', 'keydown'];
      const back = () => {
        for (const t of types) win.removeEventListener(t, back, true);
        startGrace();
      };
      for (const t of types) win.addEventListener(t, back, true);
      a.cleanups.push(() => {
        for (const t of types) win.removeEventListener(t, back, true);
      });
    }, 300);
    a.cleanups.push(() => win.clearInterval(poll));
  };

  const handleMessage = (a: Attempt, m: LinkMessage) => {
    switch (m.event) {
      case 'loaded':
        a.loaded = true;
        emit({ type: 'loaded' });
        return;
      case 'sandbox_info':
        set({ sandbox: m.info });
        emit({ type: 'sandbox_info', info: m.info });
        return;
      case 'success': {
        const outcome: LinkSuccess = { status: 'success', connectionId: m.connectionId, confirmed: false };
        if (m.user) outcome.user = m.user;
        end(a, outcome, undefined, m.redirect ? m.successUrl : undefined);
        return;
      }
      case 'exit':
        end(a, m.outcome);
        return;
      case 'invalid_session':
        if (a.renewed) {
          end(a, {
            status: 'error',
            code: 'invalid_session',
            message: 'The Link session expired twice. Try again.',
          });
          return;
        }
        a.renewed = true;
        a.loaded = false;
        source.discard();
        getSession(a).then(
          (s) => {
            if (a.ended || !a.embed) return;
            source.discard();
            a.session = s;
            set({ session: s });
            a.embed.load(embedUrl(s.url, window.location.origin, getOptions().theme));
            emit({ type: 'session_renewed', expiresAt: s.expiresAt });
          },
          (e: unknown) => fail(a, e),
        );
    }
  };

  const requestExit = (a: Attempt, force: boolean) => {
    const target = a.embed?.frame.contentWindow;
    if (!a.loaded || !target || !a.session) return false;
    target.postMessage(
      { type: 'OFAUTH_LINK', event: 'exit_requested', force },
      new URL(a.session.url).origin,
    );
    return true;
  };

  const mountFrame = (a: Attempt, s: LinkSession) => {
    const win = window;
    const onMessage = (e: MessageEvent) => {
      if ((e.data as { type?: unknown } | null)?.type !== 'OFAUTH_LINK' || !a.session) return;
      const r = acceptLinkMessage(e, a.session.url, a.embed?.frame.contentWindow);
      if ('message' in r) handleMessage(a, r.message);
      else
        process.env.NODE_ENV !== 'production' && warn(`Ignored an OFAUTH_LINK message because ${r.ignored}.`);
    };
    win.addEventListener('message', onMessage);
    a.cleanups.push(() => win.removeEventListener('message', onMessage));
    const o = getOptions();
    const embedOptions: { zIndex?: number; returnFocus: Element | null; onEscape: () => void } = {
      returnFocus: a.trigger,
      onEscape: () => {
        if (!requestExit(a, false)) return end(a, { status: 'cancelled', reason: 'user' });
        // the page answers with an `exit` message; if it does not, close anyway
        const t = win.setTimeout(() => end(a, { status: 'cancelled', reason: 'user' }), 2000);
        a.cleanups.push(() => win.clearTimeout(t));
      },
    };
    if (o.zIndex !== undefined) embedOptions.zIndex = o.zIndex;
    a.embed = mountEmbed(win.document, embedUrl(s.url, win.location.origin, o.theme), embedOptions);
  };

  const proceed = (a: Attempt, s: LinkSession) => {
    if (a.ended || attempt !== a) return;
    source.discard(); // single use
    a.session = s;
    set({ status: 'open', session: s, isReady: false });
    const win = window;
    if (a.mode === 'popup') {
      if (!a.popup || a.popup.closed) return end(a, { status: 'cancelled', reason: 'closed' });
      a.popup.location.replace(s.url);
      watchPopup(a);
    } else if (a.mode === 'embed') {
      mountFrame(a, s);
    } else {
      const returnTo =
        getOptions().returnTo ?? win.location.pathname + win.location.search + win.location.hash;
      try {
        win.sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ id: a.id, returnTo, at: Date.now() }));
      } catch {
        process.env.NODE_ENV !== 'production' &&
          warn('sessionStorage is unavailable: the callback page will not know where to return.');
      }
      emit({ type: 'opened', mode: 'redirect' });
      win.location.assign(s.url);
      return;
    }
    emit({ type: 'opened', mode: a.mode });
  };

  const open = () => {
    if (isServer) return;
    if (attempt) {
      process.env.NODE_ENV !== 'production' &&
        warn('open() was called while an attempt is already running; ignored. Call close() first.');
      return;
    }
    const win = window;
    const requested = getOptions().mode ?? 'auto';
    const mode =
      requested === 'auto' ? (win.innerWidth >= AUTO_POPUP_MIN_WIDTH ? 'popup' : 'redirect') : requested;
    const a: Attempt = {
      id: randomId(),
      nonce: randomId(),
      mode,
      ended: false,
      popup: null,
      embed: null,
      session: null,
      loaded: false,
      renewed: false,
      trigger: win.document.activeElement,
      cleanups: [],
    };
    attempt = a;
    set({ status: 'preparing', outcome: null, error: null, sandbox: null });
    if (mode === 'popup') {
      // the record must exist before window.open: Chromium copies sessionStorage into the popup then
      const record = JSON.stringify({ id: a.id, nonce: a.nonce, at: Date.now() });
      try {
        // records of attempts whose tab went away mid-flow: drop the stale ones
        for (let i = win.localStorage.length; i-- > 0; ) {
          const key = win.localStorage.key(i) ?? '';
          if (key.startsWith(ATTEMPT_PREFIX) && !readRecord(win.localStorage, key))
            win.localStorage.removeItem(key);
        }
        win.sessionStorage.setItem(POPUP_KEY, record);
        win.localStorage.setItem(ATTEMPT_PREFIX + a.id, record);
      } catch {
        process.env.NODE_ENV !== 'production' &&
          warn('Web storage is unavailable: the popup callback cannot relay its result.');
      }
      a.cleanups.push(() => {
        try {
          if (win.sessionStorage.getItem(POPUP_KEY) === record) win.sessionStorage.removeItem(POPUP_KEY);
          win.localStorage.removeItem(ATTEMPT_PREFIX + a.id);
        } catch {
          // storage unavailable
        }
      });
      a.popup = openPopup(win, `oflink_${a.id.slice(0, 8)}`);
      if (a.popup) listenRelay(a);
      else if (requested === 'auto') {
        for (const c of a.cleanups.splice(0)) c();
        a.mode = 'redirect';
      } else {
        end(
          a,
          { status: 'error', code: 'popup_blocked', message: 'The browser blocked the popup.' },
          new LinkError(
            'popup_blocked',
            'The browser blocked the popup. Call open() directly in a click handler, allow popups, or use mode "redirect" or "embed".',
          ),
        );
        return;
      }
    }
    const cached = source.peek();
    if (cached) proceed(a, cached);
    else
      getSession(a).then(
        (s) => proceed(a, s),
        (e: unknown) => {
          if (attempt === a) fail(a, e);
        },
      );
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
      const a = attempt;
      if (!a) return;
      requestExit(a, true);
      end(a, { status: 'cancelled', reason: 'closed' });
    },
    reset() {
      if (attempt) teardown(attempt);
      generation++;
      const session = source.peek() ?? null;
      set({ ...INITIAL, session, isReady: session !== null, status: session ? 'ready' : 'idle' });
    },
    prefetch() {
      if (isServer || attempt) return;
      const hit = source.peek();
      if (hit) {
        if (!state.isReady)
          set({ isReady: true, session: hit, status: state.status === 'idle' ? 'ready' : state.status });
        return;
      }
      const gen = ++generation;
      getSession(null).then(
        (s) => {
          if (gen !== generation || attempt) return;
          set({ isReady: true, session: s, status: state.status === 'idle' ? 'ready' : state.status });
        },
        (e: unknown) =>
          process.env.NODE_ENV !== 'production' &&
          warn(
            `Prefetching the session failed (${e instanceof Error ? e.message : String(e)}); a click will retry.`,
          ),
      );
    },
    dispose() {
      if (attempt) teardown(attempt);
      generation++;
      set(INITIAL, false);
    },
  };
}
