// Small readers of untrusted JSON values, shared by every parser of this package.

/** Type guard for strings. */
export const str = (v: unknown): v is string => typeof v === 'string';

/** A plain object (not null, not an array), else null. */
export const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** True when `value` holds a C0 or C1 control character (a header or log line breaker). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
export const hasControl = (value: string): boolean => /[\0-\x1f\x7f-\x9f]/.test(value);

/** `value` when it is a string of 1 to `max` characters with no control character, else undefined. */
export function printable(value: unknown, max: number): string | undefined {
  return str(value) && value.trim() !== '' && value.length <= max && !hasControl(value) ? value : undefined;
}

/**
 * Whether `value` is an absolute URL. Not `URL.canParse`: client code must run where it is missing
 * (Safari before 17, the iPhones that cannot update past iOS 16).
 */
export function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
