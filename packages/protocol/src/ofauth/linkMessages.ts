import { LINK_STEPS } from './callback';
import type { OnlyFansUser } from './user';

/** The `type` of every message between the hosted page and its parent. */
export const LINK_MESSAGE_TYPE = 'OFAUTH_LINK';

/** The steps an `exit` message can name: the callback's steps, plus `success` and `error`. */
export const EXIT_STEPS = [...LINK_STEPS, 'success', 'error'] as const;

/** One of {@link EXIT_STEPS}. */
export type ExitStep = (typeof EXIT_STEPS)[number];

/** The exit types OFAuth documents; others have existed (and may come back), so a reader keeps them raw. */
export type ExitType = 'user_exit' | 'error' | 'forced_exit';

/** `metadata` of an `exit` message (link-embed v4). */
export interface ExitMetadata {
  type: ExitType;
  step?: ExitStep;
  error: { error_type: string; error_message: string } | null;
}

/** The user as the hosted page sends it (a number id and a null name are seen too). */
export interface WireUser {
  id: string | number;
  name: string | null;
  username: string;
  avatar: string | null;
}

/** `metadata` of a v4 `success` message; `user` is a deprecated copy of `connection.userData`. */
export interface SuccessMetadata {
  successUrl: string;
  redirect: boolean;
  connection: { id: string; userData: WireUser | null };
  user: WireUser | null;
}

/** One sandbox scenario offered by a sandbox session (PROTOCOL.md §4). */
export interface SandboxScenario {
  /** Scenario id, e.g. `creator-otp`; it doubles as the email domain `@<id>.sandbox.com`. */
  id: string;
  /** Kind of account: `creator` or `fan`. */
  accountType: string;
  /** `password` or `app_otp`. */
  loginType: string;
  /** Password to type. */
  password: string;
  /** One-time code, for OTP scenarios. */
  otpCode?: string;
}

/** Sandbox credentials reported by an embedded sandbox session (`metadata` of `sandbox_info`). */
export interface SandboxInfo {
  /** The scenarios offered. */
  scenarios: SandboxScenario[];
  /** The scenario currently selected, if any. */
  activeScenarioId?: string;
  /** The screen the hosted page shows: `pre-login`, `login` or `otp` (the one-time-code screen). */
  currentScreen?: string;
}

/** A message from the hosted page to its parent, as link-embed v4 sends it. */
export type LinkPageMessage = { type: typeof LINK_MESSAGE_TYPE } & (
  | { event: 'loaded' }
  | { event: 'success'; metadata: SuccessMetadata }
  | { event: 'exit'; metadata: ExitMetadata }
  | { event: 'invalid_session' }
  | { event: 'sandbox_info'; metadata: Required<SandboxInfo> }
);

/** The parent's request to end the flow, posted to the session URL's origin. */
export interface ExitRequest {
  type: typeof LINK_MESSAGE_TYPE;
  event: 'exit_requested';
  /** True tears the flow down at once; the page answers with a `forced_exit`. */
  force: boolean;
}

/** How an `exit` message ended the flow, read leniently: every exit ends it, whatever it says. */
export interface LinkExit {
  /** The exit type as sent (`user_exit`, `forced_exit`, `error`, or one this version does not know); absent when the message had no metadata. */
  type?: string;
  /** The step, when it is one of {@link EXIT_STEPS}. */
  step?: ExitStep;
  /** For `error` exits: OFAuth's `error_type` (a short code) and `error_message`, when valid. */
  error?: { code?: string; message?: string };
}

/** A validated message from the hosted page, in v4 and every older shape. */
export type LinkMessage =
  | { event: 'loaded' }
  | { event: 'success'; connectionId?: string; user?: OnlyFansUser; successUrl?: string; redirect: boolean }
  | { event: 'exit'; exit: LinkExit }
  | { event: 'invalid_session' }
  | { event: 'sandbox_info'; info: SandboxInfo };
