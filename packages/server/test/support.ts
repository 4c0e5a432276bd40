// Shared by this package's tests only (not exported, not bundled).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createLinkHandler, type LinkHandlerOptions } from '../src/session';

export const ENDPOINT = 'http://localhost/api/oflink/session';

/** A same-origin JSON POST to the session endpoint, as a browser would send it. */
export function post(body: unknown = {}, headers: Record<string, string> = {}): Request {
  return new Request(ENDPOINT, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: 'http://localhost',
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The webhook secret of this package's tests (`whsec_` + 32 bytes in base64). */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('oflink-server-webhook-secret-32b').toString('base64')}`;

/** A webhook POST signed the Standard Webhooks way (`svix-*` headers), as OFAuth sends it. */
export function signedWebhook(
  payload: string,
  { id = 'msg_1', secret = WEBHOOK_SECRET, at = new Date() } = {},
): Request {
  return new Request('http://localhost/api/webhooks/ofauth', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, at, payload),
    },
    body: payload,
  });
}

/** The headers a browser sends with a request from a page of `origin` on another site. */
export function crossSite(origin: string): Record<string, string> {
  return { origin, 'sec-fetch-site': 'cross-site' };
}

/** Starts `server` on a free port of 127.0.0.1 and resolves with its base URL (closing it is the caller's). */
export async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A `fetch` that records every upstream call it passes on. */
export function countingFetch(): { fetch: typeof fetch; calls: string[]; urls: string[] } {
  const calls: string[] = [];
  const urls: string[] = [];
  return {
    calls,
    urls,
    fetch: (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      urls.push(String(input));
      return fetch(input, init);
    },
  };
}

/** Everything an error carries, flattened to text (message, name, code, causes, stacks, own properties). */
export function errorText(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const own = Object.fromEntries(Object.entries(error));
  let text = `${error.name} ${error.message} ${error.stack ?? ''} ${JSON.stringify(own)}`;
  if (error.cause !== undefined && depth < 5) text += ` ${errorText(error.cause, depth + 1)}`;
  return text;
}

/** Fails the suite if any promise rejection goes unhandled while it runs. */
export function failOnUnhandledRejection(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => {
    seen.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onRejection);
    expect(seen.map((e) => errorText(e))).toEqual([]);
  });
}

export type { Figure } from '../../../scripts/figures';
export { writeFigures } from '../../../scripts/figures';

/** A valid webhook secret that is not the one the tests' endpoints hold. */
export const OTHER_WEBHOOK_SECRET = `whsec_${Buffer.from('somebody-elses-webhook-secret-00').toString('base64')}`;

/** The body of a `connection.*` event in the documented envelope. */
export const webhookBody = (eventType = 'connection.created', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventType,
    live: false,
    data: {
      connection: { id: 'conn_h1', status: 'active', clientReferenceId: 'user_7' },
      clientReferenceId: 'user_7',
    },
    ...extra,
  });

/** Checks an error answer: its status, JSON with `no-store`, and the `{ error: { code, message } }` body. */
export async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

/**
 * A simulator for the test file (started before its tests, stopped after; reset before each test,
 * its init answering hosted sessions with no session limit), and `createLinkHandler`s in front of it
 * for user `user_1`.
 */
export function linkHandlerFixture() {
  const fixture = {
    sim: undefined as unknown as Simulator,
    handler: (extra: Partial<LinkHandlerOptions> = {}) =>
      createLinkHandler({
        apiKey: fixture.sim.apiKey,
        baseUrl: fixture.sim.url,
        getClientReferenceId: () => 'user_1',
        ...extra,
      }),
  };
  beforeAll(async () => {
    fixture.sim = await startSimulator({ port: 0, quiet: true });
  });
  afterAll(async () => {
    await fixture.sim.stop();
  });
  beforeEach(() => {
    fixture.sim.reset();
    fixture.sim.configure({ initResponse: 'hosted', maxOpenSessions: undefined });
  });
  return fixture;
}
