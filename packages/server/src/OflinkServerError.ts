import type { EndpointErrorCode } from '@oflink/protocol';

/**
 * Every code an {@link OflinkServerError} can carry: the codes the endpoints answer with
 * (ARCHITECTURE.md §1), which the browser receives as `LinkError.code`. `connection_*` come from
 * `confirmConnection`; `invalid_options` is thrown at construction; `internal_error` means a
 * callback of yours threw or returned a wrong type.
 * @example
 * if (error instanceof OflinkServerError && error.code === 'rate_limited') retryIn(error.retryAfter);
 */
export type OflinkServerErrorCode = EndpointErrorCode;

/**
 * The one error type of `@oflink/server`. `code` is stable (switch on it), `status` is the HTTP
 * status the session endpoint answers with, `message` is a sentence for your logs (it may carry an
 * upstream detail; it never carries the apiKey or a session URL). `cause`, when present, is a
 * sanitized copy of the underlying error.
 *
 * @example
 * try {
 *   await confirmConnection({}, { connectionId, clientReferenceId: user.id });
 * } catch (error) {
 *   if (error instanceof OflinkServerError && error.code === 'connection_not_owned') return forbidden();
 *   throw error;
 * }
 */
export class OflinkServerError extends Error {
  override readonly name = 'OflinkServerError';
  /** Stable machine-readable code. */
  readonly code: OflinkServerErrorCode;
  /** HTTP status the session endpoint answers for this error. */
  readonly status: number;
  /** For `rate_limited`: seconds to wait before trying again. */
  readonly retryAfter?: number;
  /** For upstream failures: the status OFAuth answered, when it answered. */
  readonly upstreamStatus?: number;
  /** For upstream failures: OFAuth's own error code, when its answer carried one (`code`, or `error.code`). */
  readonly upstreamCode?: string;

  constructor(
    code: OflinkServerErrorCode,
    status: number,
    message: string,
    details: { cause?: unknown; retryAfter?: number; upstreamStatus?: number; upstreamCode?: string } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = status;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.upstreamStatus !== undefined) this.upstreamStatus = details.upstreamStatus;
    if (details.upstreamCode !== undefined) this.upstreamCode = details.upstreamCode;
  }
}

/** The error of every configuration mistake (a wrong option), thrown where the value is given. */
export function invalidOptions(message: string): OflinkServerError {
  return new OflinkServerError('invalid_options', 500, message);
}
