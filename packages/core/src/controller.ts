import { type LinkEmbed, startAttempt, startMode, viewOf } from './attempt';
import type { ConfirmOption } from './confirm';
import { createStore, INITIAL, type Store } from './controllerStore';
import { isServer, randomId, warn } from './env';
import { LinkError } from './LinkError';
import { optionsProblem } from './options';
import { popupView } from './popupView';
import { redirectView } from './redirectView';
import { REDIRECT_KEY, readReturned, starterOf, takeReturned } from './relay';
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

export { AUTO_POPUP_MIN_WIDTH } from './attempt';
export { POPUP_CLOSE_GRACE_MS } from './popupView';

/** Everything a controller (and `useLinkSession`) can be told. */
export interface LinkControllerOptions extends SessionRequestOptions {
  /** How the hosted page is shown. `'embed'` needs the {@link LinkControllerOptions.embed} option. @defaultValue 'auto' */
  mode?: LinkMode | undefined;
  /**
   * The embedded modal, which only apps that show it ship: `embed` from `@oflink/core/embed` (or
   * `@oflink/react/embed`). Required by `mode: 'embed'`.
   * @defaultValue undefined (no modal: `mode: 'embed'` is an `invalid_options` error)
   */
  embed?: LinkEmbed | undefined;
  /** Theme of the embedded page. @defaultValue 'auto' */
  theme?: LinkTheme | undefined;
  /** When to fetch the session ahead of the click: at mount (`true`), on hover/focus, or never. @defaultValue 'hover' */
  prefetch?: boolean | 'hover' | undefined;
  /** Redirect mode: same-origin path the callback page sends the person back to. @defaultValue the current path */
  returnTo?: string | undefined;
  /** z-index of the embed modal. */
  zIndex?: number | undefined;
  /** Popup mode: how long to wait for the relay after the popup reads as closed. @defaultValue 3000 */
  popupCloseGraceMs?: number | undefined;
  /**
   * Confirm a success with your server before it is reported: `true` for the confirm route of
   * `createOflinkHandler` (`/api/oflink/confirm`), the URL of your confirm endpoint
   * (`createConfirmHandler` of `@oflink/server`), or a function that resolves when confirmed and
   * throws when not. The state is `confirming` meanwhile; `onSuccess` then gets `confirmed: true`,
   * and a refusal ends the attempt as an error with the server's code. In redirect mode the page the
   * person returns to does this (see `resume`).
   * @defaultValue undefined (successes are reported unconfirmed)
   */
  confirm?: ConfirmOption | undefined;
  /** A connection was made (confirm it on your server before trusting it). */
  onSuccess?: ((outcome: LinkSuccess) => void) | undefined;
  /** The attempt ended without a connection. */
  onExit?: ((outcome: LinkCancelled | LinkFailure) => void) | undefined;
  /** Something failed (session request, blocked popup, error outcome). */
  onError?: ((error: LinkError) => void) | undefined;
  /** Every lifecycle event, in order. */
  onEvent?: ((event: LinkEvent) => void) | undefined;
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
  const store = createStore(getOptions, source);
  // a page's first crypto.getRandomValues sets the generator up (about a millisecond in Chromium):
  // it is done here, so the click, which draws the attempt's id and nonce, does not wait on it
  if (!isServer) randomId();
  // sessions fetched ahead of the click; a reset or dispose makes a pending one stale
  const prefetches = { generation: 0 };
  return {
    getState: store.get,
    subscribe: store.subscribe,
    open: () => openAttempt(store, getOptions),
    close: () => store.running()?.stop(true),
    reset() {
      store.running()?.stop();
      prefetches.generation++;
      const session = source.peek() ?? null;
      store.set({ ...INITIAL, session, isReady: session !== null, status: session ? 'ready' : 'idle' });
    },
    prefetch: () => prefetchSession(store, source, getOptions, prefetches),
    resume: () => resumeReturned(store),
    dispose() {
      store.running()?.stop();
      prefetches.generation++;
      store.set(INITIAL, false);
    },
  };
}

/** `open()`: starts an attempt in the mode asked for, unless one runs or an option is wrong. */
function openAttempt(store: Store, getOptions: () => LinkControllerOptions): void {
  if (isServer) return;
  if (store.running()) {
    try {
      if (process.env.NODE_ENV !== 'production')
        warn('open() was called while an attempt is already running; ignored. Call close() first.');
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
    return;
  }
  const problem = optionsProblem(getOptions(), window.location.origin);
  if (problem) {
    // before any window, storage or request: nothing to undo
    const message = `Invalid oflink options: ${problem}`;
    store.report(
      { status: 'error', code: 'invalid_options', message },
      new LinkError('invalid_options', message),
    );
    return;
  }
  const { mode: requested = 'auto', embed } = getOptions();
  const mode = startMode(requested, window);
  // the options check refused `embed` mode without its view
  const view = mode === 'popup' ? popupView : mode === 'redirect' ? redirectView : viewOf(embed as LinkEmbed);
  startAttempt(store.host, view, requested === 'auto' && mode === 'popup' ? redirectView : undefined);
}

/** `prefetch()`: fetches a session ahead of the click, once; a stale answer is not shown as ready. */
function prefetchSession(
  store: Store,
  source: SessionSource,
  getOptions: () => LinkControllerOptions,
  prefetches: { generation: number },
): void {
  if (isServer || store.running() || store.focusReturning()) return;
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
    if (!store.get().isReady) store.ready(hit);
    return;
  }
  const gen = ++prefetches.generation;
  store.host.startSession().then(
    (s) => {
      store.host.announce(s);
      if (gen === prefetches.generation && !store.running()) store.ready(s);
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
}

/**
 * Reports the outcome of a redirect attempt of this tab, saved by the callback page, once (after
 * confirming it when the callback page did not): on the page the person returns to, by the button
 * or hook that started it. Elsewhere (another button, a page visited on the way back) it stays saved
 * for its own.
 */
function resumeReturned(store: Store): void {
  if (isServer || store.running()) return;
  let storage: Storage;
  try {
    storage = window.sessionStorage;
  } catch {
    return;
  }
  // a redirect record on a page that is not the callback: its attempt came back here another way
  // (Back, a reload, a typed address), so no callback will read it
  if (!new URLSearchParams(window.location.search).has('status')) storage.removeItem(REDIRECT_KEY);
  const saved = readReturned(storage);
  if (!saved) return;
  if (saved.starter !== undefined && saved.starter !== starterOf(store.host.options())) return;
  if (saved.returnTo && new URL(saved.returnTo, window.location.href).pathname !== window.location.pathname)
    return;
  const report = (final: LinkOutcome, error?: LinkError) => {
    // another controller of the page may have reported it meanwhile
    if (takeReturned(storage, saved.id)) store.report(final, error);
  };
  const confirm = store.host.options().confirm;
  const { outcome } = saved;
  if (outcome.status === 'success' && !outcome.confirmed && confirm !== undefined)
    store.confirmFirst(outcome, confirm, report);
  else report(outcome);
}
