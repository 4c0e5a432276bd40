// The example's stand-in for signing in: a user id (?user=…, else "demo-user") in a plain cookie.
export function loader({ request }: { request: Request }) {
  const asked = new URL(request.url).searchParams.get('user') ?? '';
  const user = /^[\w-]{1,64}$/.test(asked) ? asked : 'demo-user';
  const cookie = `user_id=${user}; Path=/; HttpOnly; SameSite=Lax`;
  return new Response(null, { status: 303, headers: { location: '/', 'set-cookie': cookie } });
}
