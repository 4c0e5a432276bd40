import { auth } from '@/auth';
import { connections } from '@/connections';

/** The signed-in user's stored connections (only what this app confirmed or heard by webhook). */
export async function GET() {
  const session = await auth();
  if (!session) return Response.json({ error: { code: 'unauthenticated' } }, { status: 401 });
  return Response.json({ connections: connections.of(session.user.id) });
}
