import { ROUTES } from '@oflink/protocol';
import { callEndpoint, withDeadline } from './endpoint';
import { asLinkError, type LinkError } from './LinkError';
import { failureOf } from './outcome';
import type { ConfirmOption, LinkOutcome, LinkSuccess } from './types';

/** The confirm route of `createOflinkHandler` at its default base path. */
export const DEFAULT_CONFIRM = ROUTES.confirm;

/**
 * Whether `v` is a {@link ConfirmOption}: `true`, a non-empty URL, or a function.
 * @example
 * isConfirmOption('/api/oflink/confirm'); // true
 */
export const isConfirmOption = (v: unknown): v is ConfirmOption =>
  v === true || (typeof v === 'string' && v !== '') || typeof v === 'function';

/**
 * Confirms a success with the app's server: resolves with the success marked `confirmed: true`,
 * or with an `error` outcome and its {@link LinkError} carrying the server's code and status
 * (`connection_not_owned`, `connection_not_found`, …; `confirm_failed` when it gave none). Never rejects.
 *
 * @example
 * const { outcome } = await confirmOutcome('/api/oflink/confirm', { status: 'success', connectionId: 'conn_1', confirmed: false }, signal);
 * if (outcome.status === 'success') showConnected(outcome.connectionId); // confirmed: true
 */
export async function confirmOutcome(
  confirm: ConfirmOption,
  outcome: LinkSuccess,
  signal: AbortSignal,
): Promise<{ outcome: LinkOutcome; error?: LinkError }> {
  const { connectionId } = outcome;
  try {
    await (typeof confirm === 'function'
      ? withDeadline('confirm', signal, (s) => confirm(connectionId, { signal: s }))
      : callEndpoint(
          confirm === true ? DEFAULT_CONFIRM : confirm,
          'POST',
          { connectionId },
          signal,
          'confirm_failed',
        ));
    return { outcome: { ...outcome, confirmed: true } };
  } catch (e) {
    const error = asLinkError(e, 'confirm_failed');
    return { outcome: failureOf(error), error };
  }
}
