import { isAbsoluteUrl, obj, printable, str } from './values';

/**
 * The OnlyFans account behind a connection, in one shape wherever OFAuth reports it (the list
 * endpoint's `userData`, the success message's `connection.userData` and `user`, the SDK webhook's
 * `userData` with `userId`).
 */
export interface OnlyFansUser {
  /** OnlyFans user id (a number on the wire in some shapes; always a string here). */
  id: string;
  /** Display name, or null when the account has none. */
  name: string | null;
  /** OnlyFans username. */
  username: string;
  /** Avatar URL, or null. */
  avatar: string | null;
}

const MAX_TEXT = 200;
const MAX_URL = 2048;

function userId(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return printable(v, MAX_TEXT);
}

function avatarUrl(v: unknown): string | null {
  if (!str(v) || v.length > MAX_URL || !/^https?:\/\//i.test(v)) return null;
  return isAbsoluteUrl(v) ? v : null;
}

/**
 * Reads a user leniently and boundedly: `id` (or the SDK's `userId`) as a string or a whole number
 * and a `username` are required; a missing, null or oversized `name` becomes null, an avatar that
 * is not an http(s) URL becomes null. Returns undefined when no usable user is there.
 *
 * @example
 * parseUser({ userId: 42, name: null, username: 'ana', avatar: null }); // { id: '42', name: null, username: 'ana', avatar: null }
 */
export function parseUser(value: unknown): OnlyFansUser | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const id = userId(u.id ?? u.userId);
  const username = printable(u.username, MAX_TEXT);
  if (id === undefined || username === undefined) return undefined;
  return { id, name: printable(u.name, MAX_TEXT) ?? null, username, avatar: avatarUrl(u.avatar) };
}
