// Internal: one webhook request of createWebhookHandler, from the raw body to the answer.
import type { ConnectionChange } from '@oflink/protocol';
import { errorAnswer, jsonAnswer } from './answer';
import type { WebhookErrorContext } from './createWebhookHandler';
import { DEFAULT_BODY_TIMEOUT_MS, readRequestBody } from './requestBody';
import { verifyWebhook } from './verifyWebhook';
import type { WebhookSettings } from './webhookSettings';
import { type ConnectionEventData, type WebhookEvent, WebhookVerificationError } from './webhookTypes';

/** The verified event, or the answer that refuses the request. */
export async function readVerified(request: Request, s: WebhookSettings): Promise<WebhookEvent | Response> {
  const secret = s.secretNow();
  if (secret === null) {
    s.report(
      new WebhookVerificationError(
        'invalid_secret',
        'createWebhookHandler has no webhook secret: set OFAUTH_WEBHOOK_SECRET to the whsec_… secret of your OFAuth webhook endpoint, or pass { secret }.',
      ),
      { stage: 'verify' },
    );
    request.body?.cancel().catch(() => undefined);
    return errorAnswer('server_misconfigured', 500, 'The webhook endpoint has no secret configured.');
  }
  // the same reader and deadline as the browser-facing endpoints; the sender gives up after 10 s anyway
  const body = request.bodyUsed
    ? 'used'
    : await readRequestBody(request, s.maxBodyBytes, DEFAULT_BODY_TIMEOUT_MS);
  if (typeof body === 'string') return bodyRefusal(body, s);
  try {
    return await verifyWebhook(body, request.headers, secret, { toleranceSeconds: s.toleranceSeconds });
  } catch (error) {
    s.report(error, { stage: 'verify' });
    if (error instanceof WebhookVerificationError) {
      return errorAnswer(error.code, error.code === 'invalid_payload' ? 400 : 401, error.message);
    }
    return errorAnswer('internal_error', 500, 'The webhook could not be verified.');
  }
}

/** De-duplicates, applies the event to the store, runs the handlers, remembers the id. */
export async function deliver(event: WebhookEvent, s: WebhookSettings): Promise<Response> {
  const context = { messageId: event.id, type: event.type === 'unknown' ? event.unknownType : event.type };
  const failed = (stage: WebhookErrorContext['stage'], error: unknown, answer: Response) => {
    s.report(error, { stage, ...context });
    return answer;
  };
  try {
    if (s.seen && (await s.seen(event.id)) === true) return received(true);
  } catch (error) {
    return failed('seen', error, retryLater('handler_failed', 'The de-duplication check failed'));
  }
  try {
    if (s.store && event.type !== 'unknown' && event.type !== 'rules.updated')
      await s.store.applyChange(changeOf(event));
  } catch (error) {
    return failed('store', error, retryLater('store_unavailable', 'The connection store failed', 503));
  }
  try {
    const own = s.on[event.type] as ((e: WebhookEvent) => unknown) | undefined;
    if (own) await own(event);
    if (s.on['*']) await s.on['*'](event);
  } catch (error) {
    return failed('handler', error, retryLater('handler_failed', 'The webhook handler failed'));
  }
  try {
    await s.remember?.(event.id, event);
  } catch (error) {
    // The handlers ran: answering 500 would run them again on the retry.
    s.report(error, { stage: 'remember', ...context });
  }
  return received(false);
}

/** The answer to a body that could not be taken as it came. */
function bodyRefusal(body: 'too_large' | 'used' | 'timeout' | 'unreadable', s: WebhookSettings): Response {
  switch (body) {
    case 'too_large':
      return errorAnswer('body_too_large', 413, `The body is larger than ${s.maxBodyBytes} bytes.`);
    case 'used':
      // Verification needs the raw bytes; a re-serialised body would not match the signature anyway.
      s.report(
        new Error(
          'The request body was already read before createWebhookHandler: mount it before body parsers (express.json()).',
        ),
        { stage: 'verify' },
      );
      return errorAnswer('internal_error', 500, 'The webhook endpoint is not set up correctly.');
    case 'timeout':
      return errorAnswer('request_timeout', 408, 'The request body did not arrive in time.');
    default:
      return errorAnswer('invalid_request', 400, 'The request body could not be read.');
  }
}

/** A failure the sender should retry: nothing of the message was kept. */
export function retryLater(code: string, what: string, status = 500): Response {
  return errorAnswer(code, status, `${what}; the sender will retry.`);
}

/** A verified `connection.*` event as the store applies it. */
function changeOf(event: Extract<WebhookEvent, { data: ConnectionEventData }>): ConnectionChange {
  return {
    messageId: event.id,
    type: event.type,
    timestamp: event.timestamp,
    connection: event.data.connection,
    clientReferenceId: event.data.clientReferenceId,
  };
}

/** The answer to a verified message: processed now, or before (`duplicate`). */
export function received(duplicate: boolean): Response {
  return jsonAnswer(200, duplicate ? { received: true, duplicate: true } : { received: true });
}
