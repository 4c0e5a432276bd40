/**
 * The query parameters OFAuth adds to the redirect URL when Link finishes (PROTOCOL.md §2).
 * Unsigned URL data: a `connection_id` from here is confirmed on the server before it is trusted.
 */
export const CALLBACK_PARAMS = [
  'status',
  'connection_id',
  'client_reference_id',
  'step',
  'error_code',
] as const;

/** The steps at which a person can leave the flow, as the callback and the exit message name them. */
export const LINK_STEPS = ['pre-login', 'authorization', 'login', '2fa'] as const;

/** One of {@link LINK_STEPS}. */
export type LinkStep = (typeof LINK_STEPS)[number];

/** An `error_code` (and an exit's `error_type`): a short machine word such as `session_expired`. */
export const ERROR_CODE = /^[\w.-]{1,64}$/;
