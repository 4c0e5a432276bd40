/**
 * A typed failure with a machine-readable `code` (the server's `error.code`, `popup_blocked`,
 * `network_error`, …) and, for HTTP failures, the response `status`.
 *
 * @example
 * try { await fetchLinkSession('/api/oflink/session'); }
 * catch (e) { if (e instanceof LinkError && e.code === 'unauthenticated') signIn(); }
 */
export class LinkError extends Error {
  /** Always `'LinkError'`. */
  override name = 'LinkError' as const;
  /** Machine-readable code to switch on. */
  code: string;
  /** HTTP status of the failed session request, when there was one. */
  status?: number;
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}
