import { cookies } from 'next/headers';

/**
 * Stands in for your auth (Auth.js `auth()`, Clerk, your session cookie…): the signed-in user, or
 * null. This example signs people in with a plain cookie set by /api/sign-in; never do that for real.
 */
export async function auth(): Promise<{ user: { id: string } } | null> {
  const id = (await cookies()).get('user_id')?.value;
  return id ? { user: { id } } : null;
}
