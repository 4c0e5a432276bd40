import { toNodeHandler } from '@oflink/server';
import express from 'express';
import { signInAs } from './auth.js';
import { oflink } from './oflink.js';

/** The API on Express 5; `clientDir` (the built SPA) is served too when given. */
export function expressApp(clientDir) {
  const app = express();
  // before any body parser: the handlers read (and verify) the raw body themselves
  app.use('/api/oflink', toNodeHandler(oflink));
  app.get('/api/sign-in', (req, res) => {
    res.cookie('user_id', signInAs(req.query.user), { httpOnly: true, sameSite: 'lax' }).redirect(303, '/');
  });
  if (clientDir) {
    app.use(express.static(clientDir));
    // the SPA's own pages
    app.get(['/oflink/callback', '/connections'], (_req, res) =>
      res.sendFile('index.html', { root: clientDir }),
    );
  }
  return app;
}
