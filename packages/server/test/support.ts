// Shared by this package's tests only (not exported, not bundled).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect } from 'vitest';

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
