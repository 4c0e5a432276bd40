// The app side of the connections tests: the four endpoints of one app server on a store, requests
// as a signed-in browser sends them, and a person going through Link over HTTP on the simulator.
import type { ConnectionStore } from '@oflink/server';
import {
  createConfirmHandler,
  createConnectionsHandler,
  createLinkHandler,
  createWebhookHandler,
  type WebhookHandlers,
} from '@oflink/server';
import type { Simulator } from '@oflink/simulator';
import { expect } from 'vitest';

export const APP = 'http://app.test';

/** The endpoints of one app server, on `store`. */
export function appServer(
  sim: Simulator,
  store: ConnectionStore,
  extra: { on?: WebhookHandlers; timeoutMs?: number; apiKey?: string; fetch?: typeof fetch } = {},
) {
  const getClientReferenceId = (request: Request) => request.headers.get('x-user');
  const upstream = {
    apiKey: extra.apiKey ?? sim.apiKey,
    baseUrl: sim.url,
    ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
  };
  const quiet = { onError: () => undefined };
  return {
    confirm: createConfirmHandler({ ...upstream, ...quiet, store, getClientReferenceId }),
    connections: createConnectionsHandler({ ...upstream, ...quiet, store, getClientReferenceId }),
    session: createLinkHandler({
      ...upstream,
      ...quiet,
      store,
      redirectUrl: 'http://127.0.0.1:5173/callback',
      getClientReferenceId,
    }),
    webhooks: createWebhookHandler({ ...upstream, ...quiet, secret: sim.webhookSecret, store, on: extra.on }),
  };
}

export type App = ReturnType<typeof appServer>;

/** A request of the signed-in user `who` from the app's own page. */
export function call(
  handler: (r: Request) => Promise<Response>,
  method: string,
  path: string,
  who: string,
  body?: unknown,
) {
  return handler(
    new Request(`${APP}${path}`, {
      method,
      headers: {
        'sec-fetch-site': 'same-origin',
        'x-user': who,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }),
  );
}

export async function listOf(app: App, who: string) {
  const res = await call(app.connections, 'GET', '/api/oflink/connections', who);
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      connections: {
        id: string;
        status: string;
        userData: { username: string } | null;
        clientReferenceId: string;
      }[];
    }
  ).connections;
}

/**
 * A person connecting through Link on the simulator, over HTTP as the hosted page's forms post:
 * a new connection (`connection.created`), or with `connectionId` a reconnect (`connection.updated`).
 */
export async function linkOverHttp(sim: Simulator, user: string, connectionId?: string): Promise<string> {
  const init = await fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ clientReferenceId: user, ...(connectionId ? { connectionId } : {}) }),
  });
  const { url } = (await init.json()) as { url: string };
  const step = (form: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  await step({ step: 'pre-login', action: 'continue' });
  await step({
    step: 'login',
    action: 'submit',
    email: 'ada@creator.sandbox.com',
    password: 'good-password',
  });
  const made = sim.sessions().find((s) => s.url === url);
  const id = made?.resultConnectionId;
  if (!id) throw new Error('the Link session did not end with a connection');
  return id;
}

/** OnlyFans signs the account out: the simulator sends a signed `connection.expired`. */
export async function expireAtOfauth(sim: Simulator, id: string) {
  const res = await fetch(`${sim.url}/v2/account/connections/${id}/invalidate`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey },
  });
  expect(res.status).toBe(200);
}
