/** True when there is no browser `window` (server render, Node). The one place core checks for it. */
export const isServer: boolean = typeof window === 'undefined';

/**
 * A random 128-bit hex id from `crypto.getRandomValues` (works on insecure origins too, unlike randomUUID).
 *
 * @example
 * randomId(); // '9f2c…' (32 hex characters)
 */
export function randomId(): string {
  let out = '';
  for (const b of crypto.getRandomValues(new Uint8Array(16))) out += b.toString(16).padStart(2, '0');
  return out;
}
