/**
 * Stands in for your auth (your session middleware, a JWT…): the signed-in user's id from a Fetch
 * `Request`, or null. This example signs people in with a plain cookie set by /api/sign-in; never do
 * that for real.
 */
export function userId(request) {
  const cookie = request.headers.get('cookie') ?? '';
  return /(?:^|;\s*)user_id=([^;]+)/.exec(cookie)?.[1] ?? null;
}

/** The example's stand-in for signing in: the user id to keep in the cookie (?user=…, else "demo-user"). */
export function signInAs(asked) {
  return typeof asked === 'string' && /^[\w-]{1,64}$/.test(asked) ? asked : 'demo-user';
}
