/** True when there is no browser `window` (server render, Node). The one place core checks for it. */
export const isServer: boolean = typeof window === 'undefined';

/**
 * True in development builds: bundlers replace `process.env.NODE_ENV` (also in browsers, where
 * there is no `process`: a `typeof process` guard would hide every development message there).
 * Native ES modules without a bundler read it as false.
 *
 * @example
 * if (isDev()) console.info('sandbox session');
 */
export function isDev(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return false; // no bundler and no process: not a development build
  }
}

/**
 * A development-only console warning that says why something was ignored.
 *
 * @example
 * warn('open() was called while an attempt is already running; ignored.');
 */
export function warn(message: string): void {
  if (isDev()) console.warn(`[oflink] ${message}`);
}

/**
 * A random 128-bit hex id from `crypto.getRandomValues` (works on insecure origins too, unlike randomUUID).
 *
 * @example
 * randomId(); // '9f2c…' (32 hex characters)
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
