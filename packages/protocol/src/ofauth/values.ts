// Small readers of untrusted JSON values, shared by every parser of this package.

/** Type guard for strings. */
export const str = (v: unknown): v is string => typeof v === 'string';

/** A plain object (not null, not an array), else null. */
export const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** True when `value` holds a C0 or C1 control character (a header or log line breaker). */
export function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

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
