import { relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { signInAs } from './auth.js';
import { oflink } from './oflink.js';

/** The same API on Hono: the handler takes Hono's Fetch `Request` as it is. */
export function honoApp(clientDir) {
  const app = new Hono();
  app.all('/api/oflink/*', (c) => oflink(c.req.raw));
  app.get('/api/sign-in', (c) => {
    setCookie(c, 'user_id', signInAs(c.req.query('user')), { httpOnly: true, sameSite: 'Lax', path: '/' });
    return c.redirect('/', 303);
  });
  if (clientDir) {
    // serveStatic takes paths relative to the working directory
    const root = relative(process.cwd(), clientDir) || '.';
    app.use('/*', serveStatic({ root }));
    // the SPA's own pages
    for (const page of ['/oflink/callback', '/connections'])
      app.get(page, serveStatic({ path: `${root}/index.html` }));
  }
  return app;
}
