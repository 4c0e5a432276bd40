// Webhook verification: `verifyWebhook` checks a message's signature (either scheme OFAuth signs
// with, webhook/signatures) on the raw body, checks its time, and reads the body into one typed
// event whatever its envelope (webhook/events), with the time that orders it.
import { messageIdTime, readWebhookPayload } from '@oflink/protocol';
import { checkTolerance } from '../config';
import { invalidOptions } from '../errors';
import { WebhookVerificationError } from './error';
import type { WebhookEvent, WebhookEventBase } from './events';
import {
  anySignatureMatches,
  importSecrets,
  messageId,
  readSignedHeaders,
  type SignedHeaders,
  signedContent,
  type WebhookHeaders,
  type WebhookSecret,
} from './signatures';

/**
 * Options of {@link verifyWebhook}.
 * @example
 * await verifyWebhook(body, headers, secret, { toleranceSeconds: 60 });
 */
export interface VerifyWebhookOptions {
  /** Largest allowed distance between the signed timestamp and now, in either direction. @defaultValue 300 */
  toleranceSeconds?: number | undefined;
  /** The current time (a `Date` or epoch milliseconds), for tests. @defaultValue `Date.now()` */
  now?: Date | number | undefined;
}

const encoder = new TextEncoder();

/**
 * Verify a signed OFAuth webhook and return it as a typed {@link WebhookEvent}.
 *
 * Pass the **raw** request body (never re-serialised JSON). Two signature schemes are accepted
 * (PROTOCOL.md §6), picked by the headers present:
 * - Standard Webhooks / Svix: `svix-id`, `svix-timestamp`, `svix-signature` (or the `webhook-*` names);
 *   HMAC-SHA256 of `${id}.${timestamp}.${body}`, base64; the signature header is a space-separated list of
 *   `v1,<sig>` and any match passes.
 * - `OFAuth-Signature: t=<unix>,v1=<sig>[,v1=<sig>…]`: HMAC-SHA256 of `${t}.${body}`, hex or base64.
 *
 * Key: for both schemes the secret is `whsec_<base64>` (the prefix is optional); the HMAC key is the
 * base64-decoded part, as Standard Webhooks and the simulator do. Give an array of secrets during a rotation.
 * The signed timestamp must be within `toleranceSeconds` (300) of now in either direction; signatures are
 * compared in constant time. Uses Web Crypto only, so it runs on Node 20.3+, Workers, Deno and Bun.
 *
 * @throws {WebhookVerificationError} with `code` `missing_headers`, `invalid_signature`, `timestamp_too_old`,
 *   `timestamp_in_future`, `invalid_secret` or `invalid_payload`.
 * @example
 * export async function POST(request: Request) {
 *   const event = await verifyWebhook(await request.text(), request.headers, process.env.OFAUTH_WEBHOOK_SECRET!);
 *   if (event.type === 'connection.created') await saveConnection(event.data.clientReferenceId, event.data.connection);
 *   return new Response(null, { status: 204 });
 * }
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const { tolerance, nowMs } = checkInputs(rawBody, options);
  const signed = readSignedHeaders(headers);
  const keys = await importSecrets(secret);
  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  if (!(await anySignatureMatches(keys, signedContent(signed, body), signed.signatures))) {
    throw new WebhookVerificationError(
      'invalid_signature',
      'No signature matches: check the webhook secret and that the raw, unmodified body is verified.',
    );
  }

  const nowSeconds = Math.floor(nowMs / 1000);
  if (signed.timestamp < nowSeconds - tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `The signed timestamp is more than ${tolerance} s in the past (a replay, or a clock out of sync).`,
    );
  }
  if (signed.timestamp > nowSeconds + tolerance) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `The signed timestamp is more than ${tolerance} s in the future (check this server's clock).`,
    );
  }

  return parseEvent(body, signed, tolerance);
}

/** The tolerance and the time now, checked; a body that is neither text nor bytes is refused. */
function checkInputs(rawBody: unknown, options: VerifyWebhookOptions): { tolerance: number; nowMs: number } {
  const tolerance = checkTolerance(options.toleranceSeconds, 'verifyWebhook');
  const nowMs = options.now === undefined ? Date.now() : +options.now;
  if (!Number.isFinite(nowMs))
    throw invalidOptions('verifyWebhook: now must be a valid Date or epoch milliseconds.');
  // By tag, not instanceof: bytes from another realm (a vm context, an iframe) are bytes too.
  if (typeof rawBody !== 'string' && Object.prototype.toString.call(rawBody) !== '[object Uint8Array]') {
    throw new WebhookVerificationError('invalid_payload', 'The raw body must be a string or a Uint8Array.');
  }

  return { tolerance, nowMs };
}

// ---------------------------------------------------------------- payload

function invalid(message: string): never {
  throw new WebhookVerificationError('invalid_payload', message);
}

async function parseEvent(body: Uint8Array, signed: SignedHeaders, tolerance: number): Promise<WebhookEvent> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    invalid('The webhook body is not UTF-8 JSON.');
  }
  const read = readWebhookPayload(json);
  if (!read.ok) invalid(read.message);
  const { timestamp, ...payload } = read.payload;
  const id = await messageId(signed, body, timestamp !== undefined);
  const base: WebhookEventBase = {
    id,
    ...eventTime(timestamp, id, signed, tolerance),
    scheme: signed.scheme,
  };
  return { ...payload, ...base } as WebhookEvent;
}

/** How far back a time carried by a message id may lie: past it, the id is not a time-ordered one. */
const MESSAGE_ID_HORIZON_MS = 30 * 24 * 3600 * 1000;

/**
 * The event's time, the same on every delivery of it: the body's own (never later than the signed
 * time plus the tolerance, so a body dated in the future cannot freeze a record), else the time a
 * Svix `msg_` id carries (made once per message: a retry or a resend keeps it), else the signed
 * time, which a Standard Webhooks retry re-sets: `signature` says so.
 */
function eventTime(
  bodyTime: string | undefined,
  id: string,
  signed: SignedHeaders,
  tolerance: number,
): Pick<WebhookEventBase, 'timestamp' | 'timeSource'> {
  const latest = (signed.timestamp + tolerance) * 1000;
  if (bodyTime !== undefined)
    return { timestamp: new Date(Math.min(Date.parse(bodyTime), latest)).toISOString(), timeSource: 'event' };
  const fromId = signed.scheme === 'standard' ? messageIdTime(id) : null;
  if (fromId !== null && fromId <= latest && fromId >= signed.timestamp * 1000 - MESSAGE_ID_HORIZON_MS)
    return { timestamp: new Date(fromId).toISOString(), timeSource: 'message_id' };
  return { timestamp: new Date(signed.timestamp * 1000).toISOString(), timeSource: 'signature' };
}
