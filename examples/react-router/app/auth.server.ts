/**
 * Stands in for your auth (your session cookie, a JWT…): the signed-in user's id, or null. This
 * example signs people in with a plain cookie set by /api/sign-in; never do that for real.
 */
export function userId(request: Request): string | null {
  return /(?:^|;\s*)user_id=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? null;
}
