/** How the hosted Link page is shown: a popup window, an iframe modal, a full-page redirect, or chosen for the screen. */
export type LinkMode = 'popup' | 'embed' | 'redirect' | 'auto';

/** Colour theme passed to the embedded page (`theme` URL parameter). */
export type LinkTheme = 'light' | 'dark' | 'auto';

/** A Link session as returned by the app's session endpoint (ARCHITECTURE.md §1). */
export interface LinkSession {
  /** Always `"hosted"`: the only mode the browser can open. */
  mode: 'hosted';
  /** The hosted page URL. A bearer capability: never log it, open it once. */
  url: string;
  /** ISO-8601 expiry time. */
  expiresAt: string;
}

/** Parameters sent to the session endpoint; they are part of the session cache key. */
export interface LinkSessionParams {
  /** Re-authenticate this existing connection instead of creating a new one. */
  connectionId?: string;
  /** Where the connection should appear to come from. */
  geolocation?: { country: string; state?: string; city?: string };
}

/** The OnlyFans user behind a connection, as the hosted page reports it. */
export interface LinkUser {
  /** OnlyFans user id. */
  id: string;
  /** Display name. */
  name: string;
  /** OnlyFans username. */
  username: string;
  /** Avatar URL, or null. */
  avatar: string | null;
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

/** The step of the hosted flow at which the person left. */
export type LinkStep = 'pre-login' | 'authorization' | 'login' | '2fa';

/** The person left the flow (`user`) or closed the window (`closed`). */
export interface LinkCancelled {
  /** Discriminant. */
  status: 'cancelled';
  /** Where the person left, when known. */
  step?: LinkStep;
  /** `user`: they chose to leave; `closed`: the popup or modal was closed. */
  reason: 'user' | 'closed';
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

/** One sandbox scenario offered by a sandbox session (PROTOCOL.md §4). */
export interface SandboxScenario {
  /** Scenario id, e.g. `creator-otp`. */
  id: string;
  /** Kind of account. */
  accountType: string;
  /** `password` or `app_otp`. */
  loginType: string;
  /** Password to type. */
  password: string;
  /** One-time code, for OTP scenarios. */
  otpCode?: string;
}

/** Sandbox credentials reported by an embedded sandbox session. */
export interface SandboxInfo {
  /** The scenarios offered. */
  scenarios: SandboxScenario[];
  /** The scenario currently selected, if any. */
  activeScenarioId?: string;
  /** The screen the hosted page shows. */
  currentScreen?: string;
}

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
