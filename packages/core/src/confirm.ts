import { ROUTES } from '@oflink/protocol';
import { LinkError } from './LinkError';
import { callEndpoint, endpointError } from './session';
import type { LinkOutcome, LinkSuccess } from './types';

/**
 * How a success is confirmed by the app's server before it is reported: `true` for the confirm
 * route of `createOflinkHandler` at its default base (`/api/oflink/confirm`), the URL of a confirm
 * endpoint (`createConfirmHandler` of `@oflink/server`, which answers `{ connection }`), or a
 * function that confirms and resolves (or throws to refuse).
 */
export type ConfirmOption =
  | true
  | string
  | ((connectionId: string, init: { signal: AbortSignal }) => Promise<unknown>);

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
  try {
    if (typeof confirm === 'function') await confirm(outcome.connectionId, { signal });
    else {
      const { response, body } = await callEndpoint(
        confirm === true ? DEFAULT_CONFIRM : confirm,
        'POST',
        { connectionId: outcome.connectionId },
        signal,
      );
      if (!response.ok) throw endpointError(response.status, body, 'confirm_failed', 'confirm endpoint');
    }
    return { outcome: { ...outcome, confirmed: true } };
  } catch (e) {
    const error =
      e instanceof LinkError ? e : new LinkError('confirm_failed', 'The connection could not be confirmed.');
    return { outcome: { status: 'error', code: error.code, message: error.message }, error };
  }
}
