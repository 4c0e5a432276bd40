// Hono: the Fetch handler as is (Node, Bun, Deno, Workers), plus connection confirmation.
// Run on Node: OFAUTH_API_KEY=sk_sandbox_… pnpm exec tsx examples/hono/app.ts
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { confirmConnection, createLinkHandler, OflinkServerError } from '@oflink/server';
import { Hono } from 'hono';

/** Your signed-in user. Replace with your auth (a signed session cookie, a JWT, …). */
function userId(cookie: string | null | undefined): string | null {
  return /(?:^|;\s*)user_id=([^;]+)/.exec(cookie ?? '')?.[1] ?? null;
}

export function createApp(): Hono {
  const app = new Hono();
  const ofauth = { baseUrl: process.env.OFAUTH_BASE_URL }; // apiKey: process.env.OFAUTH_API_KEY

  const handler = createLinkHandler({
    ...ofauth,
    redirectUrl: process.env.OFLINK_REDIRECT_URL,
    getClientReferenceId: (request) => userId(request.headers.get('cookie')),
  });
  app.post('/api/oflink/session', (c) => handler(c.req.raw));

  // The callback's connection_id is unsigned: confirm it before trusting it.
  app.post('/api/oflink/confirm', async (c) => {
    const user = userId(c.req.header('cookie'));
    if (!user) return c.json({ error: { code: 'unauthenticated', message: 'Sign in first.' } }, 401);
    const body = await c.req.json<{ connectionId?: unknown }>().catch(() => ({ connectionId: undefined }));
    try {
      const connection = await confirmConnection(ofauth, {
        connectionId: String(body.connectionId ?? ''),
        clientReferenceId: user,
      });
      return c.json({ connection });
    } catch (error) {
      if (!(error instanceof OflinkServerError)) throw error;
      return Response.json(
        { error: { code: error.code, message: 'The connection could not be confirmed.' } },
        { status: error.status },
      );
    }
  });
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  serve({ fetch: createApp().fetch, port }, () => console.log(`Hono example on http://localhost:${port}`));
}
