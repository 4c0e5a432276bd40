/** Patterns used when an app gives no redirect URIs or origins. */
export const LOCAL_PATTERNS = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * Whether `origin` (scheme://host[:port]) matches `pattern`, where a pattern is an exact origin
 * or `scheme://host:*` (any port, including none).
 * @example originMatches('http://localhost:3000', 'http://localhost:*') // true
 */
export function originMatches(origin: string, pattern: string): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === 'null') return false;
  if (pattern.endsWith(':*')) {
    const base = pattern.slice(0, -2);
    return `${o.protocol}//${o.hostname}` === base;
  }
  try {
    return new URL(pattern).origin === o.origin;
  } catch {
    return false;
  }
}

/**
 * Whether a redirect URL is allowed by a list of patterns: an exact URL match (ignoring the query),
 * or an origin pattern (`http://localhost:*`, or a bare origin allows any path on it).
 * @example redirectAllowed('http://localhost:3000/cb', ['http://localhost:*']) // true
 */
export function redirectAllowed(url: string, patterns: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  return patterns.some((p) => {
    if (p.endsWith(':*')) return originMatches(u.origin, p);
    try {
      const pu = new URL(p);
      if (pu.pathname === '/' && !p.endsWith('/')) return pu.origin === u.origin;
      return pu.origin === u.origin && pu.pathname === u.pathname;
    } catch {
      return false;
    }
  });
}
