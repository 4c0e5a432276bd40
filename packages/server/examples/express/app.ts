// Express: the session endpoint through toNodeHandler, and connection confirmation.
// Run: OFAUTH_API_KEY=sk_sandbox_… pnpm exec tsx examples/express/app.ts
import { pathToFileURL } from 'node:url';
import { confirmConnection, createLinkHandler, OflinkServerError, toNodeHandler } from '@oflink/server';
import express from 'express';

/** Your signed-in user. Replace with your auth (a signed session cookie, a JWT, …). */
function userId(cookie: string | undefined): string | null {
  return /(?:^|;\s*)user_id=([^;]+)/.exec(cookie ?? '')?.[1] ?? null;
}

export function createApp(): express.Express {
  const app = express();
  const ofauth = { baseUrl: process.env.OFAUTH_BASE_URL }; // apiKey: process.env.OFAUTH_API_KEY

  // Mount before express.json(): the handler reads and limits the raw body itself.
  app.post(
    '/api/oflink/session',
    toNodeHandler(
      createLinkHandler({
        ...ofauth,
        redirectUrl: process.env.OFLINK_REDIRECT_URL,
        getClientReferenceId: (request) => userId(request.headers.get('cookie') ?? undefined),
      }),
    ),
  );

  // The callback's connection_id is unsigned: confirm it before trusting it.
  app.post('/api/oflink/confirm', express.json({ limit: '4kb' }), async (req, res, next) => {
    const user = userId(req.headers.cookie);
    if (!user) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in first.' } });
      return;
    }
    try {
      const connection = await confirmConnection(ofauth, {
        connectionId: String(req.body?.connectionId ?? ''),
        clientReferenceId: user,
      });
      res.json({ connection });
    } catch (error) {
      if (!(error instanceof OflinkServerError)) return next(error);
      res
        .status(error.status)
        .json({ error: { code: error.code, message: 'The connection could not be confirmed.' } });
    }
  });
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().listen(port, () => console.log(`Express example on http://localhost:${port}`));
}
