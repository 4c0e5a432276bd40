// The webhook endpoint: `createWebhookHandler` verifies each message (webhook/verify), runs it once
// across every server sharing the store (the message claimed and its change applied in one
// transaction, in the event's own order, then the handlers), and answers the sender so that it
// retries exactly what was not done. Its options are checked once, at creation (webhook/options).
import { changeProblem } from '@oflink/protocol';
import { isDevelopment } from '../config';
import { lookupConnection } from '../connectionLookup';
import type { ConnectionChange, ConnectionStore, MessageClaim } from '../connections';
import { DEFAULT_BODY_TIMEOUT_MS, isInvalidData, readRequestBody, withDeadline } from '../endpoint';
import { errorResponse, jsonResponse, OflinkServerError, refusal } from '../errors';
import { WebhookVerificationError } from './error';
import type { WebhookEvent } from './events';
import {
  type CreateWebhookHandlerOptions,
  type WebhookErrorContext,
  type WebhookSettings,
  webhookSettings,
} from './options';
import { verifyWebhook } from './verify';

/**
 * A Fetch-API endpoint for OFAuth webhooks: verifies the signature on the raw body (both schemes, see
 * `verifyWebhook`), de-duplicates by message id, and runs your handler for the event type.
 *
 * Answers: 200 `{received: true}` (also for a verified event with no handler, and for a duplicate);
 * 405 for a method other than POST; 413 for a body over `maxBodyBytes`; 401 `{error: {code, message}}` when
 * the signature, headers or timestamp are wrong; 400 `invalid_payload` for a signed body that is not a valid
 * event; 500 `handler_failed` when a handler (or `seen`) throws, so the sender retries later; 500
 * `internal_error` when a body parser already consumed the body (mount this handler before `express.json()`).
 * Handlers should still be idempotent: when the `'*'` handler throws after the type's handler succeeded,
 * the retry runs both again.
 *
 * A missing secret (no `secret`, no `OFAUTH_WEBHOOK_SECRET`) is not an error at creation: each request
 * then answers 500 `server_misconfigured` and the log says what to set. Without `onError`, failures are
 * printed with `console.error` (each kind of rejected signature once).
 *
 * @throws {OflinkServerError} `invalid_options` at creation for a wrong option, or a secret given but malformed.
 * @example
 * // app/api/webhooks/ofauth/route.ts (Next.js App Router)
 * const processed = new Set<string>(); // use your database in production
 * export const POST = createWebhookHandler({
 *   secret: process.env.OFAUTH_WEBHOOK_SECRET,
 *   on: {
 *     'connection.created': async (event) => {
 *       await db.connections.upsert(event.data.clientReferenceId, event.data.connection);
 *     },
 *     'connection.expired': async (event) => db.connections.markExpired(event.data.connection.id),
 *   },
 *   seen: (id) => processed.has(id),
 *   remember: (id) => void processed.add(id),
 * });
 */
export function createWebhookHandler(
  options: CreateWebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  const settings = webhookSettings(options);
  /** Messages being processed in this process: a concurrent duplicate waits for the first one's answer. */
  const inFlight = new Map<string, Promise<{ status: number; headers: Headers; body: string }>>();

  return async function webhookHandler(request: Request): Promise<Response> {
    const answerError = (error: unknown) =>
      errorResponse(error, { caller: 'createWebhookHandler', request, development: isDevelopment() });
    let event: WebhookEvent;
    try {
      if (request.method !== 'POST')
        throw refusal('method_not_allowed', 405, 'Webhooks are POSTed.', { allow: 'POST' });
      event = await readVerified(request, settings);
    } catch (error) {
      return answerError(error);
    }
    const running = inFlight.get(event.id);
    if (running) {
      // processed by the first: a duplicate; else the first's refusal, so that the sender retries
      const first = await running;
      return first.status === 200 ? received(true) : new Response(first.body, first);
    }
    const answer = deliver(event, settings).catch(answerError);
    // copied before the caller reads the answer (then-callbacks run in the order they were added)
    const copy = answer.then(async (r) => ({
      status: r.status,
      headers: r.headers,
      body: await r.clone().text(),
    }));
    inFlight.set(event.id, copy);
    try {
      return await answer;
    } finally {
      await copy.catch(() => undefined);
      inFlight.delete(event.id);
    }
  };
}

// ------------------------------------------------------------------ one message

/** The verified event; throws the error that refuses the request. */
async function readVerified(request: Request, s: WebhookSettings): Promise<WebhookEvent> {
  const secret = s.secretNow();
  if (secret === null) {
    s.report(
      new WebhookVerificationError(
        'invalid_secret',
        'createWebhookHandler has no webhook secret: set OFAUTH_WEBHOOK_SECRET to the whsec_… secret of your OFAuth webhook endpoint, or pass { secret }.',
      ),
      { stage: 'verify' },
    );
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      'The webhook endpoint has no secret configured.',
    );
  }
  // the same reader and deadline as the browser-facing endpoints; the sender gives up after 10 s anyway
  const body = request.bodyUsed
    ? 'used'
    : await readRequestBody(request, s.maxBodyBytes, DEFAULT_BODY_TIMEOUT_MS);
  if (typeof body === 'string') throw bodyRefusal(body, s);
  try {
    return await verifyWebhook(body, request.headers, secret, { toleranceSeconds: s.toleranceSeconds });
  } catch (error) {
    s.report(error, { stage: 'verify' });
    if (error instanceof WebhookVerificationError)
      throw refusal(error.code, error.code === 'invalid_payload' ? 400 : 401, error.message);
    throw new OflinkServerError('internal_error', 500, 'The webhook could not be verified.');
  }
}

/**
 * Runs one verified message. With a store: the message is claimed once across every server sharing
 * it and its change applied in the same transaction, then the handlers run, then the claim is
 * settled (a handler that failed releases it, so the sender's retry runs them again); a redelivery
 * is answered as a duplicate and runs nothing. Without a store: `seen`, the handlers, `remember`.
 */
async function deliver(event: WebhookEvent, s: WebhookSettings): Promise<Response> {
  const context = { messageId: event.id, type: event.type === 'unknown' ? event.unknownType : event.type };
  const report = (stage: WebhookErrorContext['stage'], error: unknown) =>
    s.report(error, { stage, ...context });
  const store = s.store;
  if (!store) return deliverUnstored(event, s, report);
  let change = changeOf(event, s);
  const problem = change && changeProblem(change);
  if (problem) return rejected(event, s, report, new Error(`The event can never be stored: ${problem}.`));
  if (change && event.timeSource === 'signature') change = await reconciled(change, s, report);
  let claim: MessageClaim;
  try {
    claim = await withDeadline(() => store.claimMessage(event.id, change), s.timeoutMs, 'claim the message');
  } catch (error) {
    if (isInvalidData(error)) return rejected(event, s, report, error);
    report('store', error);
    throw retryLater('store_unavailable', 'The connection store failed', 503);
  }
  if (claim === 'handled') return received(true);
  if (claim === 'busy')
    throw refusal('in_progress', 409, 'Another server is handling this message; the sender will retry.', {
      'retry-after': '5',
    });
  const settle = async (outcome: 'handled' | 'failed') => {
    try {
      await withDeadline(() => store.settleMessage(event.id, outcome), s.timeoutMs, 'settle the message');
    } catch (error) {
      // handled: the answer stays 200 (a redelivery after the claim's lease runs the handlers again);
      // failed: the claim lapses after its lease, and the sender's retry takes it over
      report('store', error);
    }
  };
  try {
    await runHandlers(event, s);
  } catch (error) {
    report('handler', error);
    await settle('failed');
    throw retryLater('handler_failed', 'The webhook handler failed');
  }
  await settle('handled');
  return received(false);
}

/** The handlers of the event's type, then `'*'`. */
async function runHandlers(event: WebhookEvent, s: WebhookSettings): Promise<void> {
  const own = s.on[event.type] as ((e: WebhookEvent) => unknown) | undefined;
  if (own) await own(event);
  if (s.on['*']) await s.on['*'](event);
}

/** Without a store: the app's own de-duplication (`seen`, then `remember` once the handlers succeeded). */
async function deliverUnstored(
  event: WebhookEvent,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
): Promise<Response> {
  try {
    if (s.seen && (await s.seen(event.id)) === true) return received(true);
  } catch (error) {
    report('seen', error);
    throw retryLater('handler_failed', 'The de-duplication check failed');
  }
  try {
    await runHandlers(event, s);
  } catch (error) {
    report('handler', error);
    throw retryLater('handler_failed', 'The webhook handler failed');
  }
  try {
    await s.remember?.(event.id, event);
  } catch (error) {
    // The handlers ran: answering 500 would run them again on the retry.
    report('remember', error);
  }
  return received(false);
}

/**
 * A message whose data can never be stored: retrying cannot help, so it is answered 200, told to
 * `onError` (stage `data`) and kept as rejected in the store, where a redelivery finds it.
 */
async function rejected(
  event: WebhookEvent,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
  error: unknown,
): Promise<Response> {
  report('data', error);
  try {
    const store = s.store as ConnectionStore;
    await withDeadline(() => store.settleMessage(event.id, 'rejected'), s.timeoutMs, 'keep the rejection');
  } catch (failure) {
    report('store', failure);
  }
  return jsonResponse(200, { received: true, rejected: true });
}

/**
 * A change whose time only the signature gives (a retry re-sets it, so it cannot order the event
 * against newer ones) takes OFAuth's own state of the connection and its `updatedAt` instead, when
 * the handler can reach OFAuth. A disconnect needs no time: it always wins. When OFAuth does not
 * list the connection, or cannot be reached, the event is applied as it came.
 */
async function reconciled(
  change: ConnectionChange,
  s: WebhookSettings,
  report: (stage: WebhookErrorContext['stage'], error: unknown) => void,
): Promise<ConnectionChange> {
  if (change.type === 'connection.disconnected') return change;
  const upstream = s.upstreamNow();
  if (upstream instanceof Error) {
    const missingKey = upstream instanceof OflinkServerError && upstream.code === 'server_misconfigured';
    report('reconcile', missingKey ? new Error(RECONCILE_OFF) : upstream);
    return change;
  }
  try {
    const found = await lookupConnection(upstream, change.connection.id, {
      activeOnly: false,
      signal: AbortSignal.timeout(s.timeoutMs),
    });
    const at = typeof found === 'string' ? Number.NaN : Date.parse(found.updatedAt);
    if (typeof found === 'string' || !Number.isFinite(at)) return change;
    const { id, status, userData, permissions, createdAt, clientReferenceId } = found;
    return {
      ...change,
      timestamp: new Date(at).toISOString(),
      connection: { id, status, userData, permissions, createdAt },
      clientReferenceId: clientReferenceId || change.clientReferenceId,
    };
  } catch (error) {
    report('reconcile', error);
    return change;
  }
}

const RECONCILE_OFF =
  'An event without its own time (OFAuth-Signature, SDK envelope) is ordered by its signed time, ' +
  'which a retry re-sets: set OFAUTH_API_KEY (or pass apiKey) so the handler can take the ' +
  "connection's state from OFAuth instead.";

/** The error for a body that could not be taken as it came. */
function bodyRefusal(
  body: 'too_large' | 'used' | 'timeout' | 'unreadable',
  s: WebhookSettings,
): OflinkServerError {
  switch (body) {
    case 'too_large':
      return refusal('body_too_large', 413, `The body is larger than ${s.maxBodyBytes} bytes.`);
    case 'used':
      // Verification needs the raw bytes; a re-serialised body would not match the signature anyway.
      s.report(
        new Error(
          'The request body was already read before createWebhookHandler: mount it before body parsers (express.json()).',
        ),
        { stage: 'verify' },
      );
      return new OflinkServerError('internal_error', 500, 'The webhook endpoint is not set up correctly.');
    case 'timeout':
      return refusal('request_timeout', 408, 'The request body did not arrive in time.');
    default:
      return refusal('invalid_request', 400, 'The request body could not be read.');
  }
}

/** A failure the sender should retry: nothing of the message was kept. */
function retryLater(
  code: 'store_unavailable' | 'handler_failed',
  what: string,
  status = 500,
): OflinkServerError {
  return new OflinkServerError(code, status, `${what}; the sender will retry.`);
}

/**
 * A verified `connection.*` event as the store applies it (null for other events). `live` is the
 * envelope's, else the kind of the handler's apiKey, else unknown.
 */
function changeOf(event: WebhookEvent, s: WebhookSettings): ConnectionChange | null {
  if (event.type === 'unknown' || event.type === 'rules.updated') return null;
  const upstream = s.upstreamNow();
  const key = upstream instanceof Error ? undefined : upstream.apiKey;
  return {
    type: event.type,
    timestamp: event.timestamp,
    connection: event.data.connection,
    clientReferenceId: event.data.clientReferenceId || null,
    live: event.live ?? (key === undefined ? null : !key.startsWith('sk_sandbox_')),
  };
}

/** The answer to a verified message: processed now, or before (`duplicate`). */
function received(duplicate: boolean): Response {
  return jsonResponse(200, duplicate ? { received: true, duplicate: true } : { received: true });
}
