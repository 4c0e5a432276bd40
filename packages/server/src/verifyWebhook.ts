import { readWebhookPayload } from '@oflink/protocol';
import { type WebhookEvent, type WebhookEventBase, WebhookVerificationError } from './webhookTypes';

/**
 * Headers as a Fetch `Headers` or a plain object (Node's `req.headers` works too; names are case-insensitive).
 * @example
 * const headers: WebhookHeaders = { 'svix-id': id, 'svix-timestamp': ts, 'svix-signature': sig };
 */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

/**
 * A signing secret, or several during a rotation (any one may match).
 * @example
 * const secret: WebhookSecret = [process.env.OFAUTH_WEBHOOK_SECRET!, process.env.OFAUTH_WEBHOOK_SECRET_OLD!];
 */
export type WebhookSecret = string | readonly string[];

/**
 * Options of {@link verifyWebhook}.
 * @example
 * await verifyWebhook(body, headers, secret, { toleranceSeconds: 60 });
 */
export interface VerifyWebhookOptions {
  /** Largest allowed distance between the signed timestamp and now, in either direction. @defaultValue 300 */
  toleranceSeconds?: number;
  /** The current time (a `Date` or epoch milliseconds), for tests. @defaultValue `Date.now()` */
  now?: Date | number;
}

/**
 * Default ± tolerance of the signed timestamp, in seconds (PROTOCOL.md §6). Internal to the package.
 * @example DEFAULT_WEBHOOK_TOLERANCE_SECONDS // 300
 */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

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
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError('toleranceSeconds must be a finite number of seconds, 0 or more.');
  }
  const nowMs = options.now === undefined ? Date.now() : +options.now;
  if (!Number.isFinite(nowMs)) throw new TypeError('now must be a valid Date or epoch milliseconds.');
  // By tag, not instanceof: bytes from another realm (a vm context, an iframe) are bytes too.
  if (typeof rawBody !== 'string' && Object.prototype.toString.call(rawBody) !== '[object Uint8Array]') {
    throw new WebhookVerificationError('invalid_payload', 'The raw body must be a string or a Uint8Array.');
  }

  const signed = readSignedHeaders(headers);
  const keys = await importSecrets(secret);
  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  const prefix =
    signed.scheme === 'standard' ? `${signed.id}.${signed.timestampText}.` : `${signed.timestampText}.`;
  const content = concat(encoder.encode(prefix), body);

  let matched = false;
  for (const key of keys) {
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, content));
    for (const candidate of signed.signatures) {
      // Evaluate every pair: the answer must not depend on where a match sits.
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched) {
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

  const id = signed.scheme === 'standard' ? signed.id : `ofauth_${toHex(await sha256(body)).slice(0, 32)}`;
  return parseEvent(body, { id, scheme: signed.scheme, signedAt: signed.timestamp });
}

interface SignedHeaders {
  scheme: 'standard' | 'ofauth';
  id: string;
  timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  timestampText: string;
  signatures: Uint8Array[];
}

function readSignedHeaders(headers: WebhookHeaders): SignedHeaders {
  if (headers === null || typeof headers !== 'object') {
    throw new WebhookVerificationError('missing_headers', 'No request headers were given.');
  }
  const get = headerReader(headers);
  const family = ['svix-id', 'svix-timestamp', 'svix-signature'].some((n) => get(n) !== undefined)
    ? 'svix'
    : 'webhook';
  const id = get(`${family}-id`);
  const timestamp = get(`${family}-timestamp`);
  const signature = get(`${family}-signature`);

  if (id !== undefined || timestamp !== undefined || signature !== undefined) {
    const missing = [
      id === undefined && `${family}-id`,
      timestamp === undefined && `${family}-timestamp`,
      signature === undefined && `${family}-signature`,
    ].filter(Boolean);
    if (missing.length > 0 || !id || !timestamp || !signature) {
      throw new WebhookVerificationError(
        'missing_headers',
        `Missing webhook header(s): ${missing.join(', ')}.`,
      );
    }
    const signatures: Uint8Array[] = [];
    // Several header lines arrive joined by ", ": drop the separator's comma from each entry.
    for (const entry of signature.split(/\s+/).map((e) => e.replace(/,$/, ''))) {
      const comma = entry.indexOf(',');
      if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
      const bytes = decodeBase64(entry.slice(comma + 1));
      if (bytes) signatures.push(bytes);
    }
    if (signatures.length === 0) {
      throw new WebhookVerificationError('invalid_signature', `${family}-signature holds no v1 signature.`);
    }
    return {
      scheme: 'standard',
      id,
      timestamp: parseUnixSeconds(timestamp, `${family}-timestamp`),
      timestampText: timestamp,
      signatures,
    };
  }

  const header = get('ofauth-signature');
  if (header === undefined || header === '') {
    throw new WebhookVerificationError(
      'missing_headers',
      'Missing webhook signature headers: expected svix-id/svix-timestamp/svix-signature, ' +
        'webhook-id/webhook-timestamp/webhook-signature, or OFAuth-Signature.',
    );
  }
  let t: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(/[,\s]+/)) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === 't') {
      if (t !== undefined) {
        throw new WebhookVerificationError('invalid_signature', 'OFAuth-Signature has more than one t=.');
      }
      t = value;
    } else if (name === 'v1') {
      const bytes = HEX_SHA256.test(value) ? fromHex(value) : decodeBase64(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (t === undefined) {
    throw new WebhookVerificationError('missing_headers', 'OFAuth-Signature has no t=<unix seconds>.');
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError('invalid_signature', 'OFAuth-Signature holds no v1= signature.');
  }
  return {
    scheme: 'ofauth',
    id: '',
    timestamp: parseUnixSeconds(t, 'OFAuth-Signature t='),
    timestampText: t,
    signatures,
  };
}

function headerReader(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (name) => (headers as Headers).get(name)?.trim() ?? undefined;
  }
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    const text =
      typeof value === 'string'
        ? value
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? value.join(' ')
          : undefined;
    if (text !== undefined) lower.set(key.toLowerCase(), text.trim());
  }
  return (name) => lower.get(name);
}

function parseUnixSeconds(value: string, header: string): number {
  if (!UNIX_SECONDS.test(value)) {
    throw new WebhookVerificationError('invalid_signature', `${header} is not a Unix time in seconds.`);
  }
  return Number(value);
}

/** Strip the optional `whsec_` prefix and base64-decode; several secrets for a rotation. */
async function importSecrets(secret: WebhookSecret): Promise<CryptoKey[]> {
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? secret : undefined;
  if (!list || list.length === 0) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The webhook secret is missing: pass the whsec_… secret (for example from OFAUTH_WEBHOOK_SECRET).',
    );
  }
  return Promise.all(
    list.map((s) =>
      crypto.subtle.importKey('raw', decodeSecret(s), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
    ),
  );
}

/**
 * The HMAC key bytes of one `whsec_<base64>` secret; throws `invalid_secret` when it is not one.
 * Internal to the package (createWebhookHandler checks secrets at construction with it).
 * @example decodeSecret('whsec_c2VjcmV0') // bytes of "secret"
 */
export function decodeSecret(secret: unknown): Uint8Array<ArrayBuffer> {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The webhook secret is missing: pass the whsec_… secret (for example from OFAUTH_WEBHOOK_SECRET).',
    );
  }
  // OFAuth's secrets always start with whsec_; anything else is a copy error (a truncated secret, the
  // endpoint's id, another service's key), which would otherwise fail every delivery with a 401
  if (!secret.trim().startsWith('whsec_')) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The webhook secret must start with "whsec_": copy it whole from the OFAuth dashboard (OFAUTH_WEBHOOK_SECRET).',
    );
  }
  const bytes = decodeBase64(secret.trim().slice(6));
  if (!bytes || bytes.length === 0) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The webhook secret is not a whsec_<base64> secret: copy it whole from the OFAuth dashboard.',
    );
  }
  return bytes;
}

function decodeBase64(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (value.length === 0 || !BASE64.test(value)) return undefined;
  const padded = value.length % 4 === 0 ? value : value + '='.repeat(4 - (value.length % 4));
  if (padded.length % 4 !== 0 || value.length % 4 === 1) return undefined;
  try {
    const binary = atob(padded);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', copy(bytes)));
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Constant-time for equal lengths; a length mismatch (public: every v1 HMAC-SHA256 is 32 bytes) returns early. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

// ---------------------------------------------------------------- payload

function invalid(message: string): never {
  throw new WebhookVerificationError('invalid_payload', message);
}

function parseEvent(
  body: Uint8Array,
  meta: { id: string; scheme: 'standard' | 'ofauth'; signedAt: number },
): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    invalid('The webhook body is not UTF-8 JSON.');
  }
  const read = readWebhookPayload(json);
  if (!read.ok) invalid(read.message);
  const { timestamp, ...payload } = read.payload;
  const base: WebhookEventBase = {
    id: meta.id,
    timestamp: timestamp ?? new Date(meta.signedAt * 1000).toISOString(),
    scheme: meta.scheme,
  };
  return { ...payload, ...base } as WebhookEvent;
}
