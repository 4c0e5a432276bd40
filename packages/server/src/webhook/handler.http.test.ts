// createWebhookHandler behind toNodeHandler on a real HTTP server, receiving the simulator's signed
// deliveries: every scheme and envelope, retries, and a wrong secret.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFigures } from '../../../../scripts/figures';
import { OTHER_WEBHOOK_SECRET, WEBHOOK_SECRET } from '../../test/support';
import { toNodeHandler } from '../node';
import type { WebhookEvent } from './events';
import { createWebhookHandler } from './handler';

const SECRET = WEBHOOK_SECRET;
const OTHER_SECRET = OTHER_WEBHOOK_SECRET;

const tally = { correct: 0, total: 0 };
const figures: { area: string; measure: string; value: string | number; goal: string }[] = [];

/** Count a request the handler must accept (2xx) or reject (4xx), for the figures table. */
function expectAnswer(res: Response, status: number) {
  tally.total++;
  expect(res.status).toBe(status);
  tally.correct++;
}

/** Count simulator deliveries answered as expected (asserted separately). */
function countDeliveries(statuses: (number | null)[], expected: number[]) {
  tally.total += expected.length;
  tally.correct += expected.filter((status, i) => statuses[i] === status).length;
}

afterAll(() => {
  writeFigures('server-webhook-deliveries', [
    {
      area: 'webhooks',
      measure: 'simulator deliveries createWebhookHandler answered as expected',
      value: `${tally.correct}/${tally.total}`,
      goal: 'all',
    },
    ...figures,
  ]);
});

describe('createWebhookHandler receiving the simulator over HTTP', () => {
  let app: Server;
  let sim: Simulator;
  let endpoint = '';
  let current: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });

  beforeAll(async () => {
    // The package's own Node adapter streams the raw body to the Fetch handler.
    app = createServer(toNodeHandler((request) => current(request)));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/webhooks/ofauth`;
    sim = await startSimulator({
      port: 0,
      quiet: true,
      webhookUrl: endpoint,
      webhookSecret: SECRET,
      webhookRetryBaseMs: 20,
    });
  });
  afterAll(async () => {
    await sim.stop();
    app.closeAllConnections();
    await new Promise<void>((r) => app.close(() => r()));
  });
  afterEach(() => {
    sim.reset();
    sim.configure({ webhookScheme: 'standard', webhookEnvelope: 'sdk', webhookConnectionShape: 'sdk' });
  });

  /** Drive a Link session through the hosted page's forms, as a browser would. */
  async function connectThroughLink(clientReferenceId: string) {
    const res = await fetch(`${sim.url}/v2/link/init`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ clientReferenceId }),
    });
    const { url } = (await res.json()) as { url: string };
    const post = async (form: Record<string, string>) => {
      const r = await fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
      await r.arrayBuffer();
    };
    await post({ step: 'pre-login', action: 'continue' });
    await post({
      step: 'login',
      action: 'submit',
      email: 'ana@creator.sandbox.com',
      password: 'good-password',
    });
  }

  const matrix = (['standard', 'ofauth'] as const).flatMap((scheme) =>
    (['sdk', 'docs'] as const).flatMap((envelope) =>
      (['sdk', 'list'] as const).map((shape) => [scheme, envelope, shape] as const),
    ),
  );
  it.each(matrix)(
    'verifies connection.created sent with the %s scheme, the %s envelope and the %s connection shape, into one normalized connection',
    async (scheme, envelope, shape) => {
      sim.configure({ webhookScheme: scheme, webhookEnvelope: envelope, webhookConnectionShape: shape });
      const events: WebhookEvent[] = [];
      current = createWebhookHandler({
        secret: SECRET,
        on: {
          'connection.created': (event) => {
            events.push(event);
          },
        },
      });
      await connectThroughLink('user_e2e');
      await sim.webhooksIdle();
      const deliveries = sim.webhookDeliveries();
      expect(deliveries.map((d) => [d.eventType, d.status])).toEqual([['connection.created', 200]]);
      countDeliveries(
        deliveries.map((d) => d.status),
        [200],
      );
      expect(events).toHaveLength(1);
      const event = events[0] as WebhookEvent;
      const made = sim.connections()[0];
      if (!made) throw new Error('no connection');
      expect(event).toMatchObject({
        type: 'connection.created',
        scheme,
        data: { clientReferenceId: 'user_e2e' },
      });
      // whichever shape was sent, the app reads the same fields
      expect(event.data).toMatchObject({
        connection: { id: made.id, status: 'active', userData: made.userData, permissions: made.permissions },
      });
      if (shape === 'sdk')
        expect(event.data).toMatchObject({ connection: { platformUserId: made.userData.id } });
      else expect(event.data).toEqual({ clientReferenceId: 'user_e2e', connection: made });
      if (scheme === 'standard') expect(event.id).toBe(deliveries[0]?.id);
      if (envelope === 'sdk') expect(event.live).toBe(false);
      else expect(event).not.toHaveProperty('live');
    },
  );

  it('reads connection.expired in the SDK shape (id, platformUserId, status only)', async () => {
    const events: WebhookEvent[] = [];
    current = createWebhookHandler({
      secret: SECRET,
      on: { 'connection.expired': (event) => void events.push(event) },
    });
    const conn = sim.addConnection({ clientReferenceId: 'user_e2e' });
    await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    await sim.webhooksIdle();
    expect(events.map((e) => e.data)).toEqual([
      {
        clientReferenceId: 'user_e2e',
        connection: { id: conn.id, platformUserId: conn.userData.id, status: 'expired' },
      },
    ]);
  });

  it('a handler failing once gets the simulator to retry, and the second delivery runs it', async () => {
    const processed = new Set<string>();
    let runs = 0;
    current = createWebhookHandler({
      secret: SECRET,
      on: {
        'connection.expired': () => {
          runs++;
          if (runs === 1) throw new Error('transient');
        },
      },
      seen: (id) => processed.has(id),
      remember: (id) => {
        processed.add(id);
      },
    });
    const conn = sim.addConnection({ clientReferenceId: 'user_retry' });
    const res = await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    const deliveries = sim.webhookDeliveries();
    expect(deliveries.map((d) => [d.eventType, d.attempt, d.status])).toEqual([
      ['connection.expired', 1, 500],
      ['connection.expired', 2, 200],
    ]);
    countDeliveries(
      deliveries.map((d) => d.status),
      [500, 200],
    );
    expect(runs).toBe(2);
    expect([...processed]).toEqual([deliveries[0]?.id]);
  });

  it.each(['standard', 'ofauth'] as const)(
    'a replayed %s delivery with seen() runs the handler once',
    async (scheme) => {
      sim.configure({ webhookScheme: scheme });
      const processed = new Set<string>();
      const run = vi.fn();
      current = createWebhookHandler({
        secret: SECRET,
        on: { 'connection.disconnected': run },
        seen: (id) => processed.has(id),
        remember: (id) => {
          processed.add(id);
        },
      });
      const conn = sim.addConnection({ clientReferenceId: 'user_replay' });
      await fetch(`${sim.url}/v2/account/connections/${conn.id}`, {
        method: 'DELETE',
        headers: { apiKey: sim.apiKey },
      });
      await sim.webhooksIdle();
      const [delivery] = sim.webhookDeliveries();
      expect(delivery?.status).toBe(200);
      countDeliveries([delivery?.status ?? null], [200]);
      // An attacker (or a sender retry) posts the very same signed message again.
      const replay = await fetch(endpoint, {
        method: 'POST',
        headers: delivery?.headers,
        body: delivery?.body,
      });
      expectAnswer(replay, 200);
      expect(await replay.json()).toEqual({ received: true, duplicate: true });
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.calls[0]?.[0]).toMatchObject({
        type: 'connection.disconnected',
        data: { connection: { id: conn.id }, clientReferenceId: 'user_replay' },
      });
    },
  );

  it('answers the simulator 401 when the endpoint holds another secret, and the simulator retries 5 times', async () => {
    const run = vi.fn();
    current = createWebhookHandler({ secret: OTHER_SECRET, on: { '*': run } });
    const conn = sim.addConnection({});
    await fetch(`${sim.url}/v2/account/connections/${conn.id}/invalidate`, {
      method: 'POST',
      headers: { apiKey: sim.apiKey },
    });
    await sim.webhooksIdle();
    const statuses = sim.webhookDeliveries().map((d) => d.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    countDeliveries(statuses, [401, 401, 401, 401, 401]);
    expect(run).not.toHaveBeenCalled();
    figures.push({
      area: 'webhooks',
      measure: 'simulator deliveries with a wrong secret that ran a handler',
      value: run.mock.calls.length,
      goal: '0',
    });
  });
});
