import type { EndpointErrorCode } from '@oflink/protocol';
import { say } from './dev';

/**
 * Every `LinkError.code`: the browser's own codes, the codes `@oflink/server`'s endpoints answer
 * with, and, as sent, any other code an app's own endpoint or OFAuth's hosted page gives (the
 * hosted page's error types, such as `account_locked`, are OFAuth's and open-ended). The README's
 * error table says when each occurs.
 * @example
 * const retryable = (code: LinkErrorCode) => code === 'network_error' || code === 'rate_limited';
 */
export type LinkErrorCode =
  | 'invalid_options'
  | 'missing_query_client'
  | 'popup_blocked'
  | 'network_error'
  | 'confirm_failed'
  | 'session_request_failed'
  | 'invalid_session_response'
  | 'unsupported_mode'
  | 'invalid_session'
  | 'invalid_connection_id'
  | 'invalid_callback'
  | 'connections_request_failed'
  | EndpointErrorCode
  // codes oflink does not define keep their value; the literals above still autocomplete
  | (string & {});

/**
 * A typed failure with a machine-readable `code` (the server's `error.code`, `popup_blocked`,
 * `network_error`, …) and, for HTTP failures, the response `status`. Without a message it says its
 * code's development sentence in development builds, and the code itself in production ones.
 *
 * @example
 * onError: (e: LinkError) => { if (e.code === 'unauthenticated') signIn(); }
 */
export class LinkError extends Error {
  /** Always `'LinkError'`. */
  override name = 'LinkError' as const;
  // declared, not fields: a field would give every error an own `status: undefined`
  /** Machine-readable code to switch on. */
  declare code: LinkErrorCode;
  /** HTTP status of the failed request, when there was one. */
  declare status?: number;
  constructor(code: LinkErrorCode, message: string = say(code), status?: number) {
    super(message);
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

/**
 * `e` as a {@link LinkError}: itself, or a new one with `code` and the message `e` carried.
 * @example
 * catch (e) { throw asLinkError(e, 'session_request_failed'); }
 */
export const asLinkError = (e: unknown, code: LinkErrorCode): LinkError =>
  e instanceof LinkError ? e : new LinkError(code, e instanceof Error ? e.message : String(e));
