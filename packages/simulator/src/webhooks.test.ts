import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageIdTime } from '@oflink/protocol';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './startSimulator';
import type { Simulator } from './types';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let receiver: Server;
let hookUrl = '';
let received: Received[] = [];
let statuses: number[] = [];
let sim: Simulator;
const secret = `whsec_${Buffer.from('simulator-test-secret-0123456789').toString('base64')}`;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 204);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  sim = await startSimulator({
    port: 0,
    quiet: true,
    webhookUrl: hookUrl,
    webhookSecret: secret,
    webhookRetryBaseMs: 10,
  });
});
afterAll(async () => {
  await sim.stop();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});
afterEach(() => {
  sim.reset();
  sim.configure({
    webhookScheme: 'standard',
    webhookEnvelope: 'sdk',
    webhookUrl: hookUrl,
    webhookTimeoutMs: 10_000,
  });
  received = [];
  statuses = [];
});

/** Drive a session through the hosted page over HTTP (forms), as a browser would. */
async function connectThroughLink(body: Record<string, unknown>, email = 'ana@creator.sandbox.com') {
  const res = await fetch(`${sim.url}/v2/link/init`, {
    method: 'POST',
    headers: { apiKey: sim.apiKey },
    body: JSON.stringify(body),
  });
  const { url } = (await res.json()) as { url: string };
  const post = (form: Record<string, string>) =>
    fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
  await post({ step: 'pre-login', action: 'continue' });
  const done = await post({ step: 'login', action: 'submit', email, password: 'good-password' });
  return done.text();
}

const asStandard = (h: IncomingHttpHeaders) => ({
  'webhook-id': String(h['svix-id']),
  'webhook-timestamp': String(h['svix-timestamp']),
  'webhook-signature': String(h['svix-signature']),
});

describe('webhooks', () => {
  it('sends connection.created signed with svix-* headers that standardwebhooks verifies, with clientReferenceId', async () => {
    const page = await connectThroughLink({ clientReferenceId: 'user_42' });
    expect(page).toContain('data-step="done"');
    await sim.webhooksIdle();
    expect(received).toHaveLength(1);
    const [hit] = received;
    if (!hit) throw new Error('no webhook');
    const payload = new Webhook(secret).verify(hit.body, asStandard(hit.headers)) as {
      eventType: string;
      live: boolean;
      data: { clientReferenceId: string; connection: { id: string; status: string } };
    };
    expect(payload.eventType).toBe('connection.created');
    expect(payload.live).toBe(false);
    expect(payload.data.clientReferenceId).toBe('user_42');
    // the SDKs' connection shape (PROTOCOL.md §7) by default
    const made = sim.connections()[0];
    if (!made) throw new Error('no connection');
    expect(payload.data.connection).toEqual({
      id: made.id,
      platformUserId: made.userData.id,
      status: 'active',
      userData: {
        userId: made.userData.id,
        name: made.userData.name,
        username: made.userData.username,
        avatar: made.userData.avatar,
      },
      permissions: made.permissions,
    });
  });

  it('sends the list endpoint connection object with webhookConnectionShape list', async () => {
    sim.configure({ webhookConnectionShape: 'list' });
    await connectThroughLink({ clientReferenceId: 'user_42' });
    await sim.webhooksIdle();
    sim.configure({ webhookConnectionShape: 'sdk' });
    const payload = JSON.parse(received[0]?.body ?? '{}') as { data: { connection: unknown } };
    expect(payload.data.connection).toEqual(sim.connections()[0]);
  });

  it('sends connection.expired with only id, platformUserId and status in the SDK shape', async () => {
    const conn = sim.addConnection({ clientReferenceId: 'user_42' });
    const res = await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    const payload = JSON.parse(received[0]?.body ?? '{}') as {
      eventType: string;
      data: { connection: unknown };
    };
    expect(payload.eventType).toBe('connection.expired');
    expect(payload.data.connection).toEqual({
      id: conn.id,
      platformUserId: conn.userData.id,
      status: 'expired',
    });
  });

  it('a tampered body or another secret fails standardwebhooks verification', async () => {
    await connectThroughLink({});
    await sim.webhooksIdle();
    const hit = received[0];
    if (!hit) throw new Error('no webhook');
    expect(() => new Webhook(secret).verify(`${hit.body} `, asStandard(hit.headers))).toThrow();
    const other = `whsec_${Buffer.from('another-secret-another-secret-00').toString('base64')}`;
    expect(() => new Webhook(other).verify(hit.body, asStandard(hit.headers))).toThrow();
  });

  it('reconnecting with connectionId updates that connection and sends connection.updated', async () => {
    const existing = sim.addConnection({ status: 'expired', clientReferenceId: 'u1' });
    await connectThroughLink({ connectionId: existing.id, clientReferenceId: 'u1' }, 'bo@fan.sandbox.com');
    await sim.webhooksIdle();
    expect(sim.connections()).toEqual([
      expect.objectContaining({ id: existing.id, status: 'active', expiredAt: null }),
    ]);
    const body = JSON.parse(received[0]?.body ?? '{}') as {
      eventType: string;
      data: { connection: { id: string } };
    };
    expect(body.eventType).toBe('connection.updated');
    expect(body.data.connection.id).toBe(existing.id);
  });

  it('sends connection.expired on invalidate and connection.disconnected on delete', async () => {
    const c = sim.addConnection({});
    await fetch(`${sim.url}/v2/account/connections/${c.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    await fetch(`${sim.url}/v2/account/connections/${c.id}`, {
      method: 'DELETE',
      headers: { apiKey: sim.apiKey },
    });
    await sim.webhooksIdle();
    expect(received.map((r) => (JSON.parse(r.body) as { eventType: string }).eventType)).toEqual([
      'connection.expired',
      'connection.disconnected',
    ]);
  });

  it('retries with backoff until a 2xx, keeping the message id, and records every attempt', async () => {
    statuses = [500, 503, 200];
    await connectThroughLink({});
    await sim.webhooksIdle();
    expect(received).toHaveLength(3);
    const ids = new Set(received.map((r) => r.headers['svix-id']));
    expect(ids.size).toBe(1);
    expect(sim.webhookDeliveries().map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    const times = sim.webhookDeliveries().map((d) => Date.parse(d.at));
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(15);
  });

  it('names each message with a Svix-style msg_ KSUID carrying its time; a resend keeps its id and body, signed anew', async () => {
    statuses = [500, 500, 500, 500, 500];
    const before = Date.now();
    await connectThroughLink({});
    await sim.webhooksIdle();
    const first = sim.webhookDeliveries()[0];
    if (!first) throw new Error('no webhook');
    expect(first.id).toMatch(/^msg_[0-9A-Za-z]{27}$/);
    expect(messageIdTime(first.id)).toBeGreaterThanOrEqual(before - 4);
    expect(await sim.resendWebhook(first.id)).toBe(true);
    const resent = sim.webhookDeliveries().at(-1);
    expect(resent).toMatchObject({ id: first.id, body: first.body, attempt: 1, status: 204 });
    const h = resent?.headers ?? {};
    const standardHeaders = {
      'webhook-id': h['svix-id'] ?? '',
      'webhook-timestamp': h['svix-timestamp'] ?? '',
      'webhook-signature': h['svix-signature'] ?? '',
    };
    expect(new Webhook(secret).verify(resent?.body ?? '', standardHeaders)).toBeTruthy();
    expect(await sim.resendWebhook('msg_unknown')).toBe(false);
  });

  it('stops after 5 attempts when the endpoint keeps failing', async () => {
    statuses = [500, 500, 500, 500, 500, 500, 500];
    await connectThroughLink({});
    await sim.webhooksIdle();
    expect(received).toHaveLength(5);
    expect(sim.webhookDeliveries().at(-1)).toMatchObject({ attempt: 5, status: 500 });
  });

  it('gives up an attempt after the timeout and records the error', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    sim.configure({
      webhookUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`,
      webhookTimeoutMs: 50,
    });
    try {
      sim.addConnection({ id: 'conn_t' });
      await fetch(`${sim.url}/v2/account/connections/conn_t/invalidate`, {
        method: 'POST',
        headers: { apiKey: sim.apiKey },
      });
      await sim.webhooksIdle();
      const deliveries = sim.webhookDeliveries();
      expect(deliveries).toHaveLength(5);
      expect(deliveries[0]).toMatchObject({ status: null, error: expect.stringMatching(/timed out/) });
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('signs with OFAuth-Signature (t=…,v1=hex HMAC of "t.body") and the docs envelope on request', async () => {
    sim.configure({ webhookScheme: 'ofauth', webhookEnvelope: 'docs' });
    await connectThroughLink({ clientReferenceId: 'ref' });
    await sim.webhooksIdle();
    const hit = received[0];
    if (!hit) throw new Error('no webhook');
    expect(hit.headers['svix-signature']).toBeUndefined();
    // this scheme documents no id header, and the simulator invents none
    expect(Object.keys(hit.headers).filter((h) => h.includes('id'))).toEqual([]);
    const header = String(hit.headers['ofauth-signature']);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(m).not.toBeNull();
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${m?.[1]}.${hit.body}`)
      .digest('hex');
    expect(m?.[2]).toBe(expected);
    expect(Math.abs(Number(m?.[1]) - Date.now() / 1000)).toBeLessThan(300);
    const body = JSON.parse(hit.body) as {
      type: string;
      timestamp: string;
      data: { clientReferenceId: string; connection: { id: string } };
    };
    expect(body).toMatchObject({
      type: 'connection.created',
      timestamp: expect.any(String),
      data: { clientReferenceId: 'ref' },
    });
  });

  it('sends nothing without a webhook URL', async () => {
    sim.configure({ webhookUrl: undefined });
    await connectThroughLink({});
    await sim.webhooksIdle();
    expect(received).toHaveLength(0);
    expect(sim.webhookDeliveries()).toHaveLength(0);
  });
});
