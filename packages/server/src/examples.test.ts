// The three README examples, imported as they are and driven over real HTTP against the simulator.
import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp as createExpressApp } from '../examples/express/app';
import { createApp as createHonoApp } from '../examples/hono/app';
import { failOnUnhandledRejection, listenOn } from './testSupport';

let sim: Simulator;
const servers: Server[] = [];
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
  vi.stubEnv('OFAUTH_API_KEY', sim.apiKey);
  vi.stubEnv('OFAUTH_BASE_URL', sim.url);
  vi.stubEnv('OFLINK_REDIRECT_URL', 'http://localhost:3000/callback');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
  await sim.stop();
});
failOnUnhandledRejection();

async function listen(server: Server): Promise<string> {
  servers.push(server);
  return listenOn(server);
}

function session(base: string, cookie?: string, body: unknown = {}) {
  return fetch(`${base}/api/oflink/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

async function expectSessionFlow(base: string) {
  const anonymous = await session(base);
  expect(anonymous.status).toBe(401);
  expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });

  const before = sim.sessions().length;
  const ok = await session(base, 'theme=dark; user_id=user_ex');
  expect(ok.status).toBe(200);
  expect(ok.headers.get('cache-control')).toBe('no-store');
  const body = (await ok.json()) as { mode: string; url: string };
  const created = sim.sessions()[before];
  expect(body).toMatchObject({ mode: 'hosted', url: created?.url });
  expect(created).toMatchObject({
    clientReferenceId: 'user_ex',
    redirectUrl: 'http://localhost:3000/callback',
  });

  const smuggled = await session(base, 'user_id=user_ex', { clientReferenceId: 'someone_else' });
  expect(smuggled.status).toBe(400);
}

async function expectConfirmFlow(base: string) {
  const mine = sim.addConnection({ clientReferenceId: 'user_ex' });
  const theirs = sim.addConnection({ clientReferenceId: 'user_other' });
  const confirm = (connectionId: string, cookie = 'user_id=user_ex') =>
    fetch(`${base}/api/oflink/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ connectionId }),
    });
  const ok = await confirm(mine.id);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ connection: mine });
  const stolen = await confirm(theirs.id);
  expect(stolen.status).toBe(403);
  expect(await stolen.json()).toMatchObject({ error: { code: 'connection_not_owned' } });
  const missing = await confirm('conn_missing');
  expect(missing.status).toBe(404);
  expect((await confirm(mine.id, '')).status).toBe(401);
}

describe('examples', () => {
  it('Next.js App Router route file: POST is the handler, served by a Fetch-API HTTP server', async () => {
    // Imported here: the route module reads OFAUTH_* from the environment when it loads (stubbed in beforeAll).
    const { POST } = await import('../examples/nextjs/app/api/oflink/session/route');
    const base = await listen(createAdaptorServer({ fetch: POST }) as Server);
    await expectSessionFlow(base);
  });

  it('Express app via toNodeHandler: session and confirm routes', async () => {
    const base = await listen(createServer(createExpressApp()));
    await expectSessionFlow(base);
    await expectConfirmFlow(base);
  });

  it('Hono app: session and confirm routes', async () => {
    const base = await listen(createAdaptorServer({ fetch: createHonoApp().fetch }) as Server);
    await expectSessionFlow(base);
    await expectConfirmFlow(base);
  });
});
