import { cookies } from 'next/headers';

// The example's stand-in for signing in: a user id (?user=…, else "demo-user") in a plain cookie.
export async function GET(request: Request) {
  const asked = new URL(request.url).searchParams.get('user') ?? '';
  const user = /^[\w-]{1,64}$/.test(asked) ? asked : 'demo-user';
  (await cookies()).set('user_id', user, { httpOnly: true, sameSite: 'lax', path: '/' });
  return new Response(null, { status: 303, headers: { location: '/' } });
}
