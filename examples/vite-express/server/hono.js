import { relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { signInAs, userId } from './auth.js';
import { connections } from './connections.js';
import { confirm, session, webhook } from './oflink.js';

/** The same API on Hono: the handlers take Hono's Fetch `Request` as they are. */
export function honoApp(clientDir) {
  const app = new Hono();
  app.post('/api/oflink/session', (c) => session(c.req.raw));
  app.post('/api/oflink/confirm', (c) => confirm(c.req.raw));
  app.post('/api/oflink/webhook', (c) => webhook(c.req.raw));
  app.get('/api/connections', (c) => {
    const user = userId(c.req.raw);
    if (!user) return c.json({ error: { code: 'unauthenticated' } }, 401);
    return c.json({ connections: connections.of(user) });
  });
  app.get('/api/sign-in', (c) => {
    setCookie(c, 'user_id', signInAs(c.req.query('user')), { httpOnly: true, sameSite: 'Lax', path: '/' });
    return c.redirect('/', 303);
  });
  if (clientDir) {
    // serveStatic takes paths relative to the working directory
    const root = relative(process.cwd(), clientDir) || '.';
    app.use('/*', serveStatic({ root }));
    app.get('/oflink/callback', serveStatic({ path: `${root}/index.html` }));
  }
  return app;
}
