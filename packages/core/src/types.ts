// The vocabulary of @oflink/core, in one leaf module every other one imports: the outcomes, events,
// options and state of a controller, and the small interfaces between a controller, its session
// source and the view (popup, redirect, modal) an attempt drives.
import type { ExitStep, Geolocation, LinkSession, OnlyFansUser, SandboxInfo } from '@oflink/protocol';
import type { LinkError } from './LinkError';

export type { LinkSession, SandboxInfo, SandboxScenario } from '@oflink/protocol';
/** Where the person connects from (a location override for OnlyFans), as OFAuth takes it. */
export type { Geolocation };

/** The OnlyFans user behind a connection, as the hosted page reports it (`name` may be null). */
export type LinkUser = OnlyFansUser;

/** The step of the hosted flow at which the person left: `pre-login`, `authorization`, `login`, `2fa`, or (in an exit message) `success` or `error`. */
export type LinkStep = ExitStep;

/** How the hosted Link page is shown: a popup window, an iframe modal, a full-page redirect, or chosen for the screen. */
export type LinkMode = 'popup' | 'embed' | 'redirect' | 'auto';

/** Colour theme passed to the embedded page (`theme` URL parameter). */
export type LinkTheme = 'light' | 'dark' | 'auto';

/** Parameters sent to the session endpoint; they are part of the session cache key. */
export interface LinkSessionParams {
  /** Re-authenticate this existing connection instead of creating a new one. */
  connectionId?: string | undefined;
  /** Where the connection should appear to come from. */
  geolocation?: Geolocation | undefined;
}

/**
 * A connection was made. A browser-side success is unverified data: with the `confirm` option the
 * app's server confirmed it before it was reported (`confirmed: true`); without it, `confirmed: false`
 * until your server confirms `connectionId` (connections API or `connection.created` webhook).
 */
export interface LinkSuccess {
  /** Discriminant. */
  status: 'success';
  /** The new or re-authenticated connection id (`conn_…`). */
  connectionId: string;
  /** The app's own end-user id, when the callback carried it. */
  clientReferenceId?: string;
  /** The OnlyFans user, when the embedded page reported it. */
  user?: LinkUser;
  /** True only once the app's server confirmed the connection (the `confirm` option). */
  confirmed: boolean;
}

/**
 * The flow ended without a connection: the person left (`user`), closed the popup or modal
 * (`closed`), or the hosted page was torn down at once (`forced`, its answer to a forced exit).
 */
export interface LinkCancelled {
  /** Discriminant. */
  status: 'cancelled';
  /** Where the person left, when known. */
  step?: LinkStep;
  /** `user`: they chose to leave; `closed`: the popup or modal was closed; `forced`: a forced exit. */
  reason: 'user' | 'closed' | 'forced';
  /** The hosted page's exit type as sent, when this version does not know it (it still ends the flow). */
  exitType?: string;
}

/** The flow failed; `code` is machine-readable (`popup_blocked`, `session_expired`, `invalid_callback`, a server code…). */
export interface LinkFailure {
  /** Discriminant. */
  status: 'error';
  /** Machine-readable code. */
  code: string;
  /** Human-readable sentence. */
  message: string;
}

/** The result of one Link attempt. */
export type LinkOutcome = LinkSuccess | LinkCancelled | LinkFailure;

/**
 * Lifecycle of a controller: `idle → preparing → ready/open → success | cancelled | error`, with
 * `confirming` before a success while the app's server confirms it (the `confirm` option).
 */
export type LinkStatus =
  | 'idle'
  | 'preparing'
  | 'ready'
  | 'open'
  | 'confirming'
  | 'success'
  | 'cancelled'
  | 'error';

/** Every event of the `onEvent` funnel, in the order they happen. */
export type LinkEvent =
  | { type: 'session_requested' }
  | { type: 'session_ready'; expiresAt: string }
  | { type: 'opened'; mode: 'popup' | 'embed' | 'redirect' }
  | { type: 'loaded' }
  | { type: 'success'; outcome: LinkSuccess }
  | { type: 'cancelled'; outcome: LinkCancelled }
  | { type: 'error'; outcome: LinkFailure }
  | { type: 'closed' }
  | { type: 'session_renewed'; expiresAt: string }
  | { type: 'sandbox_info'; info: SandboxInfo };

/**
 * A user-supplied way to obtain a session instead of the default endpoint call. Like the endpoint
 * call, it has 60 s: then its `signal` aborts and the request fails as `network_error`.
 */
export type FetchSession = (params: LinkSessionParams, init: { signal: AbortSignal }) => Promise<LinkSession>;

/** What a session request needs. */
export interface SessionRequestOptions extends LinkSessionParams {
  /** The app's session endpoint. @defaultValue '/api/oflink/session' */
  endpoint?: string | undefined;
  /** Replaces the endpoint call. */
  fetchSession?: FetchSession | undefined;
}

/** Where a controller gets sessions from: a cache that hands out fresh sessions and forgets used ones. */
export interface SessionSource {
  /** A fresh cached session, if there is one (synchronous: used inside the click handler). */
  peek(): LinkSession | undefined;
  /** A fresh session: the cached one, the request in flight, or a new request. */
  get(signal: AbortSignal): Promise<LinkSession>;
  /** Forget the cached session (it was opened: sessions are single-use). */
  discard(): void;
}

/**
 * How a success is confirmed by the app's server before it is reported: `true` for the confirm
 * route of `createOflinkHandler` at its default base (`/api/oflink/confirm`), the URL of a confirm
 * endpoint (`createConfirmHandler` of `@oflink/server`, which answers `{ connection }`), or a
 * function that confirms and resolves (or throws to refuse). A function, like an endpoint, has 60 s:
 * then its `signal` aborts and the confirmation fails as `network_error`.
 */
export type ConfirmOption =
  | true
  | string
  | ((connectionId: string, init: { signal: AbortSignal }) => Promise<unknown>);

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

/** What a controller does, also carried by every state snapshot it gives. */
export interface LinkActions {
  /**
   * Starts an attempt. Call it synchronously inside a click handler (popups need it). Options outside
   * their types end the attempt at once as an `invalid_options` error (before any window or request).
   */
  open(): void;
  /** Ends the current attempt as cancelled (`closed`). */
  close(): void;
  /** Drops the current attempt without callbacks and returns to `idle`. */
  reset(): void;
  /**
   * Fetches a session ahead of the click. After the endpoint refused one (signed out, rate
   * limited, down), it fetches nothing until the next `open()` or `reset()`: the click asks again.
   */
  prefetch(): void;
}

/** Drives Link attempts; framework bindings subscribe to it. */
export interface LinkController extends LinkActions {
  /** Current state with the actions (a new object after each change, the same object otherwise). */
  getState(): LinkState & LinkActions;
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
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
 * One running attempt as a view sees it: its id and nonce, the element focused at the click, the
 * controller's options and state, and what the view registers to be undone when its UI closes.
 */
export interface Attempt {
  readonly id: string;
  readonly nonce: string;
  /** The element focused at the click, which gets focus back when a modal closes. */
  readonly trigger: Element | null;
  options(): LinkControllerOptions;
  emit(event: LinkEvent): void;
  set(patch: Partial<LinkState>): void;
  /** A window listener, removed when the attempt's UI closes. */
  listen(type: string, fn: (e: never) => void, capture?: boolean): void;
  /** A timer, cleared when the attempt's UI closes. */
  after(ms: number, fn: () => void): void;
  /** Runs `fn` when the attempt's UI closes. */
  cleanup(fn: () => void): void;
  /** Ends the attempt, once; `afterSuccess` runs after a success was reported. */
  end(outcome: LinkOutcome, error?: LinkError, afterSuccess?: () => void): void;
  /** Ends the attempt with the error a failed session request gave. */
  fail(error: unknown): void;
  /** Whether this attempt is still the controller's running one. */
  current(): boolean;
  /** A new session in place of the one open (the embedded page's renewal), announced; never cached. */
  renew(): Promise<LinkSession>;
  /** Runs `fn` while focus returns to the trigger (that focus is no request to prefetch). */
  refocus(fn: () => void): void;
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

/** Makes the view of a mode for one attempt. */
export type ViewFactory = (attempt: Attempt) => LinkView;
