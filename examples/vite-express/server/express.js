import { toNodeHandler } from '@oflink/server';
import express from 'express';
import { signInAs, userId } from './auth.js';
import { connections } from './connections.js';
import { confirm, session, webhook } from './oflink.js';

/** The API on Express 5; `clientDir` (the built SPA) is served too when given. */
export function expressApp(clientDir) {
  const app = express();
  // before any body parser: the handlers read (and verify) the raw body themselves
  app.post('/api/oflink/session', toNodeHandler(session));
  app.post('/api/oflink/confirm', toNodeHandler(confirm));
  app.post('/api/oflink/webhook', toNodeHandler(webhook));
  app.get('/api/connections', (req, res) => {
    const user = userId(
      new Request('http://app.invalid/', { headers: { cookie: req.headers.cookie ?? '' } }),
    );
    if (!user) return res.status(401).json({ error: { code: 'unauthenticated' } });
    res.json({ connections: connections.of(user) });
  });
  app.get('/api/sign-in', (req, res) => {
    res.cookie('user_id', signInAs(req.query.user), { httpOnly: true, sameSite: 'lax' }).redirect(303, '/');
  });
  if (clientDir) {
    app.use(express.static(clientDir));
    app.get('/oflink/callback', (_req, res) => res.sendFile('index.html', { root: clientDir }));
  }
  return app;
}
