import type { ExitStep, Geolocation, OnlyFansUser, SandboxInfo } from '@oflink/protocol';

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
