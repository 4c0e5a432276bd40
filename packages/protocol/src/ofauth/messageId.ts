// Webhook message ids that carry their time. Svix (the Standard Webhooks sender behind OFAuth's
// SDKs) names messages `msg_<KSUID>`: 20 bytes, base62 in 27 characters, whose first four bytes are
// seconds since the KSUID epoch and, in Svix's millisecond mode, whose fifth byte is the fraction of
// that second in 1/256 s. The id is made once per message, so a retry or a dashboard resend keeps
// it: it dates the event where the body carries no time and the signature header is re-set on
// every attempt.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KSUID_EPOCH_SECONDS = 1_400_000_000;
const KSUID_BYTES = 20;
const MESSAGE_ID = /^msg_([0-9A-Za-z]{27})$/;

/**
 * The creation time (epoch ms) a `msg_<KSUID>` message id carries, or null for any other id.
 * @example
 * messageIdTime(messageIdAt(Date.UTC(2026, 0, 1))); // 1767225600000
 */
export function messageIdTime(id: string): number | null {
  const match = MESSAGE_ID.exec(id);
  if (!match) return null;
  const bytes = new Uint8Array(KSUID_BYTES);
  for (const char of match[1] as string) {
    let carry = BASE62.indexOf(char);
    for (let i = KSUID_BYTES - 1; i >= 0; i--) {
      const v = (bytes[i] as number) * 62 + carry;
      bytes[i] = v & 0xff;
      carry = v >> 8;
    }
    if (carry !== 0) return null; // 27 base62 digits can exceed 20 bytes: not a KSUID
  }
  const seconds = (bytes[0] as number) * 2 ** 24 + ((bytes[1] as number) << 16) + ((bytes[2] as number) << 8);
  const whole = seconds + (bytes[3] as number) + KSUID_EPOCH_SECONDS;
  return whole * 1000 + Math.floor(((bytes[4] as number) * 1000) / 256);
}

/**
 * A `msg_<KSUID>` message id for a message made at `ms`, as Svix makes them (millisecond mode: the
 * fraction of the second in the fifth byte, the rest random). Used by the simulator.
 * @example
 * messageIdAt(Date.now()); // 'msg_2pX…' (27 base62 characters)
 */
export function messageIdAt(ms: number, random: Uint8Array = randomBytes(15)): string {
  const bytes = new Uint8Array(KSUID_BYTES);
  const seconds = Math.floor(ms / 1000) - KSUID_EPOCH_SECONDS;
  bytes[0] = (seconds >>> 24) & 0xff;
  bytes[1] = (seconds >>> 16) & 0xff;
  bytes[2] = (seconds >>> 8) & 0xff;
  bytes[3] = seconds & 0xff;
  bytes[4] = Math.floor(((ms - Math.floor(ms / 1000) * 1000) * 256) / 1000);
  bytes.set(random.subarray(0, KSUID_BYTES - 5), 5);
  let out = '';
  // base62 by repeated division of the 20-byte number
  for (let n = 0; n < 27; n++) {
    let rest = 0;
    for (let i = 0; i < KSUID_BYTES; i++) {
      const v = rest * 256 + (bytes[i] as number);
      bytes[i] = Math.floor(v / 62);
      rest = v % 62;
    }
    out = BASE62[rest] + out;
  }
  return `msg_${out}`;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
