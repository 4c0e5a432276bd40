import { EXIT_STEPS, type ExitStep, type LinkExit, type LinkMessage } from '@oflink/protocol';
import type { LinkError } from './LinkError';
import type { LinkCancelled, LinkFailure, LinkOutcome, LinkSuccess } from './types';

// How the hosted page's messages, and a LinkError, become outcomes (internal: not exported by index.ts).

/** A cancellation by the person, with `step` only when it is a known step. */
export const userExit = (step: unknown): LinkCancelled =>
  (EXIT_STEPS as readonly unknown[]).includes(step)
    ? { status: 'cancelled', step: step as ExitStep, reason: 'user' }
    : { status: 'cancelled', reason: 'user' };

/**
 * Every `exit` ends the attempt, as OFAuth's own library does: `error` is a failure, `forced_exit`
 * a forced cancellation, anything else (no metadata, `user_exit`, a type this version does not
 * know, kept as `exitType`) the person leaving.
 */
export function exitOutcome(exit: LinkExit): LinkOutcome {
  if (exit.type === 'error')
    return {
      status: 'error',
      code: exit.error?.code || 'link_error',
      message: exit.error?.message || 'The Link flow failed.',
    };
  const out = userExit(exit.step);
  if (exit.type === 'forced_exit') out.reason = 'forced';
  else if (exit.type !== undefined && exit.type !== 'user_exit') out.exitType = exit.type;
  return out;
}

/** A success message as an outcome; one without a valid connection id fails, since nothing can confirm it. */
export function successOutcome(m: Extract<LinkMessage, { event: 'success' }>): LinkOutcome {
  if (m.connectionId === undefined)
    return {
      status: 'error',
      code: 'invalid_connection_id',
      message:
        'Link reported a success without a valid connection id; the connection.created webhook still carries it.',
    };
  const out: LinkSuccess = { status: 'success', connectionId: m.connectionId, confirmed: false };
  if (m.user) out.user = m.user;
  return out;
}

/**
 * The error outcome of a {@link LinkError}: its code and its message.
 * @example
 * report(failureOf(error), error);
 */
export const failureOf = (error: LinkError): LinkFailure => ({
  status: 'error',
  code: error.code,
  message: error.message,
});
