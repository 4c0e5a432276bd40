// Internal: webhook signing secrets (`whsec_<base64>`, several during a rotation) and the
// constant-time comparison of the signatures a message carries with the ones they give.

import type { WebhookSecret } from './verifyWebhook';
import { decodeBase64 } from './webhookSchemes';
import { WebhookVerificationError } from './webhookTypes';

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
