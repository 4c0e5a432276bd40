// The two schemes OFAuth signs webhooks with (PROTOCOL.md §6): their headers read into one shape,
// the bytes each one signs, the message id, and the HMAC check against the `whsec_` secrets (Web
// Crypto, constant-time comparison).
import { WebhookVerificationError } from './error';

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

const encoder = new TextEncoder();

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** What the signature headers say, whichever scheme sent them. */
export interface SignedHeaders {
  scheme: 'standard' | 'ofauth';
  id: string;
  timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  timestampText: string;
  signatures: Uint8Array[];
}

/** Reads the headers of either scheme (Standard Webhooks / Svix first); throws the typed error naming what is missing. */
export function readSignedHeaders(headers: WebhookHeaders): SignedHeaders {
  if (headers === null || typeof headers !== 'object') {
    throw new WebhookVerificationError('missing_headers', 'No request headers were given.');
  }
  const get = headerReader(headers);
  const family = ['svix-id', 'svix-timestamp', 'svix-signature'].some((n) => get(n) !== undefined)
    ? 'svix'
    : 'webhook';
  const names = [`${family}-id`, `${family}-timestamp`, `${family}-signature`] as const;
  const values = names.map(get);
  if (values.some((v) => v !== undefined)) return standardHeaders(names, values);
  const header = get('ofauth-signature');
  if (header === undefined || header === '') {
    throw new WebhookVerificationError(
      'missing_headers',
      'Missing webhook signature headers: expected svix-id/svix-timestamp/svix-signature, ' +
        'webhook-id/webhook-timestamp/webhook-signature, or OFAuth-Signature.',
    );
  }
  return ofauthHeader(header);
}

/** The Standard Webhooks headers (`svix-*` or `webhook-*`): id, timestamp and the `v1,` signatures. */
function standardHeaders(names: readonly string[], values: (string | undefined)[]): SignedHeaders {
  const missing = names.filter((_, i) => values[i] === undefined);
  const [id, timestamp, signature] = values;
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
    throw new WebhookVerificationError('invalid_signature', `${names[2]} holds no v1 signature.`);
  }
  const at = parseUnixSeconds(timestamp, names[1] as string);
  return { scheme: 'standard', id, timestamp: at, timestampText: timestamp, signatures };
}

/** The `OFAuth-Signature: t=<seconds>,v1=<hex or base64>` header. */
function ofauthHeader(header: string): SignedHeaders {
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
  const at = parseUnixSeconds(t, 'OFAuth-Signature t=');
  return { scheme: 'ofauth', id: '', timestamp: at, timestampText: t, signatures };
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

/** The bytes a scheme signs: `${id}.${timestamp}.${body}` (Standard Webhooks) or `${t}.${body}` (OFAuth-Signature). */
export function signedContent(signed: SignedHeaders, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix =
    signed.scheme === 'standard' ? `${signed.id}.${signed.timestampText}.` : `${signed.timestampText}.`;
  return concat(encoder.encode(prefix), body);
}

/**
 * The message id: the signed `svix-id` / `webhook-id`. `OFAuth-Signature` signs no id, so it is
 * `ofauth_` + the first 32 hex digits of SHA-256 of what tells one event from another: the body,
 * when the body carries its own time (a retry sends the same body), else the signed time and the
 * body (two events with identical bodies, an expiry after an expiry, must not share an id; each
 * retry is then a message of its own, applied again with no change).
 */
export async function messageId(
  signed: SignedHeaders,
  body: Uint8Array,
  bodyHasTime: boolean,
): Promise<string> {
  if (signed.scheme === 'standard') return signed.id;
  const material = bodyHasTime ? body : concat(encoder.encode(`${signed.timestampText}.`), body);
  return `ofauth_${toHex(await sha256(material)).slice(0, 32)}`;
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

// ------------------------------------------------------------------ secrets

/** Strip the optional `whsec_` prefix and base64-decode; several secrets for a rotation. */
export async function importSecrets(secret: WebhookSecret): Promise<CryptoKey[]> {
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
 * `createWebhookHandler` checks its secrets with it at construction.
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

/** Whether any secret's HMAC of `content` equals any of the `signatures`; every pair is evaluated, so the time does not depend on where a match sits. */
export async function anySignatureMatches(
  keys: CryptoKey[],
  content: Uint8Array<ArrayBuffer>,
  signatures: Uint8Array[],
): Promise<boolean> {
  let matched = false;
  for (const key of keys) {
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, content));
    for (const candidate of signatures) if (timingSafeEqual(expected, candidate)) matched = true;
  }
  return matched;
}

/** Constant-time for equal lengths; a length mismatch (public: every v1 HMAC-SHA256 is 32 bytes) returns early. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
