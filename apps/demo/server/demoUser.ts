// The demo's stand-in for sign-in: every visitor is a demo user, known by a random id in a cookie.
// An app would read its own session here; the library only needs the id (`getClientReferenceId`).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Name of the cookie that holds the demo user's id (`oflink_demo_user=user_…`). */
export const USER_COOKIE = 'oflink_demo_user';
const USER_ID = /^user_[A-Za-z0-9_-]{16}$/;

/**
 * Reads the demo user's id from a Cookie header, or null when absent or malformed.
 *
 * @example
 * userFromCookie('theme=dark; oflink_demo_user=user_0123456789abcdef'); // 'user_0123456789abcdef'
 */
export function userFromCookie(header: string | null | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === USER_COOKIE) {
      const id = value.join('=');
      return USER_ID.test(id) ? id : null;
    }
  }
  return null;
}

/**
 * Gives every visitor a demo user: a random id in an HttpOnly, SameSite=Lax cookie, set on the
 * first request. The id is also put on the request, so the very first API call already has a user.
 */
export function ensureUser(req: IncomingMessage, res: ServerResponse): void {
  if (userFromCookie(req.headers.cookie)) return;
  const id = `user_${randomBytes(12).toString('base64url')}`;
  res.setHeader('set-cookie', `${USER_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
  const others = (req.headers.cookie ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith(`${USER_COOKIE}=`));
  const cookie = [...others, `${USER_COOKIE}=${id}`].join('; ');
  req.headers.cookie = cookie;
  // toNodeHandler builds the Fetch Request from rawHeaders: replace the Cookie entries there too
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'cookie') kept.push(raw[i]!, raw[i + 1]!);
  }
  raw.splice(0, raw.length, ...kept, 'Cookie', cookie);
}
