// The error of webhook verification: what `verifyWebhook` throws, by a code to switch on.
import type { WebhookVerificationErrorCode } from '../errors';

/**
 * Thrown by `verifyWebhook` (and at construction of `createWebhookHandler` for a bad secret).
 * Switch on `code`; the message never contains the secret or a signature.
 * @example
 * try {
 *   await verifyWebhook(body, request.headers, secret);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError && error.code === 'timestamp_too_old') console.warn('clock skew?');
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  /** Machine-readable reason. */
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
