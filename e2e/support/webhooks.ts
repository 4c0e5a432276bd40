import type { Simulator, WebhookDelivery } from '@oflink/simulator';
import { expect } from '@playwright/test';
import { Webhook } from 'standardwebhooks';

/** A webhook delivery the app accepted, with its verified payload. */
export interface AcceptedWebhook {
  delivery: WebhookDelivery;
  payload: { eventType: string; data: { connection: { id: string }; clientReferenceId: string | null } };
}

/**
 * Waits until the simulator delivered `eventType` for `connectionId` and the app answered 2xx, and
 * checks the signature independently with `standardwebhooks` and the simulator's secret.
 */
export async function acceptedWebhook(
  sim: Simulator,
  connectionId: string,
  eventType = 'connection.created',
): Promise<AcceptedWebhook> {
  const find = () =>
    sim.webhookDeliveries().find((d) => {
      if (d.eventType !== eventType || d.status === null || d.status < 200 || d.status >= 300) return false;
      try {
        return (JSON.parse(d.body) as AcceptedWebhook['payload']).data?.connection?.id === connectionId;
      } catch {
        return false;
      }
    });
  await expect
    .poll(() => find() !== undefined, { message: `an accepted ${eventType} webhook for ${connectionId}` })
    .toBe(true);
  const delivery = find()!;
  // the simulator signs Svix-style (svix-*), which is Standard Webhooks under other header names
  const h = delivery.headers;
  const payload = new Webhook(sim.webhookSecret).verify(delivery.body, {
    'webhook-id': h['svix-id'] ?? '',
    'webhook-timestamp': h['svix-timestamp'] ?? '',
    'webhook-signature': h['svix-signature'] ?? '',
  }) as AcceptedWebhook['payload'];
  return { delivery, payload };
}
