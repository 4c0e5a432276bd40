import { createHmac, randomBytes } from 'node:crypto';
import {
  type ConnectionEventType,
  messageIdAt,
  type SdkWebhookConnection,
  type WebhookEnvelope,
} from '@oflink/protocol';
import type { Connection, WebhookDelivery } from './types';

/** Webhook event types the simulator sends. */
export type WebhookEventType = ConnectionEventType;

/**
 * `data.connection` as OFAuth's SDKs type it: the full shape for created and updated, only
 * `{id, platformUserId, status}` for expired (and disconnected, which the SDKs do not list).
 * @example sdkConnection('connection.expired', connection) // { id, platformUserId, status }
 */
export function sdkConnection(type: WebhookEventType, c: Connection): SdkWebhookConnection {
  const head = { id: c.id, platformUserId: c.userData.id, status: c.status };
  if (type === 'connection.expired' || type === 'connection.disconnected') return head;
  const { id: userId, name, username, avatar } = c.userData;
  return { ...head, userData: { userId, name, username, avatar }, permissions: [...c.permissions] };
}

/**
 * A fresh `whsec_<base64>` secret.
 * @example generateWebhookSecret().startsWith('whsec_') // true
 */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Standard Webhooks / Svix signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * @example signStandard('whsec_c2VjcmV0', 'msg_1', 1700000000, '{}')
 */
export function signStandard(secret: string, id: string, timestamp: number, body: string): string {
  const sig = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${sig}`;
}

/**
 * The docs' scheme: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the decoded `whsec_` secret.
 * @example signOfauth('whsec_c2VjcmV0', 1700000000, '{}')
 */
export function signOfauth(secret: string, timestamp: number, body: string): string {
  const sig = createHmac('sha256', secretBytes(secret)).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${sig}`;
}

/** Settings a {@link WebhookSender} reads at every send (so `configure()` applies at once). */
export interface WebhookSettings {
  /** Target URL; nothing is sent without one. */
  url: string | undefined;
  /** `whsec_<base64>` secret. */
  secret: string;
  /** Signature headers. */
  scheme: 'standard' | 'ofauth';
  /** Body envelope. */
  envelope: 'sdk' | 'docs';
  /** `data.connection`: the SDKs' shape or the list endpoint's. */
  connectionShape: 'sdk' | 'list';
  /** Retry n waits `retryBaseMs * 2^(n-1)`. */
  retryBaseMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** `live` flag of the sdk envelope. */
  live: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * Sends signed webhooks with up to 5 attempts and exponential backoff, in order per connection.
 * @example new WebhookSender(() => settings).send('connection.created', connection)
 */
export class WebhookSender {
  /** Every attempt so far, in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly controllers = new Set<AbortController>();
  private generation = 0;

  constructor(private readonly settings: () => WebhookSettings) {}

  /** Queue one event for `connection`; returns when every attempt for it is done. */
  send(eventType: WebhookEventType, connection: Connection): Promise<void> {
    const s = this.settings();
    if (!s.url) return Promise.resolve();
    const sent = s.connectionShape === 'list' ? connection : sdkConnection(eventType, connection);
    const data = { connection: sent, clientReferenceId: connection.clientReferenceId };
    const payload: WebhookEnvelope =
      s.envelope === 'docs'
        ? { type: eventType, timestamp: new Date().toISOString(), data }
        : { eventType, live: s.live, data };
    const body = JSON.stringify(payload);
    // Svix's ids carry their creation time, which a retry or a resend keeps
    const id = messageIdAt(Date.now());
    return this.queue(connection.id, id, eventType, body);
  }

  /**
   * Sends a message again, as OFAuth's dashboard resends a failed event: the same id and body,
   * signed anew, with up to 5 attempts, behind what is queued for its connection. False when no
   * message has that id.
   */
  resend(messageId: string): Promise<boolean> {
    const first = this.deliveries.find((d) => d.id === messageId);
    if (!first) return Promise.resolve(false);
    const connectionId = (JSON.parse(first.body) as { data: { connection: { id: string } } }).data.connection
      .id;
    return this.queue(connectionId, first.id, first.eventType, first.body).then(() => true);
  }

  /** In order per connection: each message's attempts end before the next message of that connection. */
  private queue(connectionId: string, id: string, eventType: string, body: string): Promise<void> {
    const gen = this.generation;
    const prev = this.chains.get(connectionId) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(gen, id, eventType, body));
    this.chains.set(connectionId, next);
    return next;
  }

  /** Wait for every queued delivery to finish. */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Drop pending retries and forget deliveries. */
  reset(): void {
    this.generation++;
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
    this.chains.clear();
    this.deliveries.length = 0;
  }

  private async deliver(gen: number, id: string, eventType: string, body: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (gen !== this.generation) return;
      const s = this.settings();
      if (!s.url) return;
      const headers = signedHeaders(s, id, body);
      const at = new Date().toISOString();
      const record: WebhookDelivery = {
        id,
        eventType,
        attempt,
        url: s.url,
        headers,
        body,
        status: null,
        error: null,
        at,
      };
      await this.post(s, record);
      if (gen !== this.generation) return;
      this.deliveries.push(record);
      if (record.status !== null && record.status >= 200 && record.status < 300) return;
      if (attempt < MAX_ATTEMPTS) await this.wait(s.retryBaseMs * 2 ** (attempt - 1));
    }
  }

  /** One attempt: its answer's status, or why there was none, goes into `record`. */
  private async post(s: WebhookSettings, record: WebhookDelivery): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${s.timeoutMs} ms`)),
      s.timeoutMs,
    );
    try {
      const { headers, body } = record;
      const res = await fetch(record.url, { method: 'POST', headers, body, signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
    } catch (e) {
      record.error = controller.signal.aborted
        ? String(controller.signal.reason ?? 'aborted')
        : e instanceof Error
          ? e.message
          : String(e);
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  /** The backoff before a retry; `reset()` ends it early. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }
}

/** The signature headers of one attempt, in the configured scheme, dated now. */
function signedHeaders(s: WebhookSettings, id: string, body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'oflink-simulator',
  };
  if (s.scheme === 'ofauth') {
    // this scheme documents no id header: the receiver derives one from what is signed
    headers['ofauth-signature'] = signOfauth(s.secret, ts, body);
  } else {
    headers['svix-id'] = id;
    headers['svix-timestamp'] = String(ts);
    headers['svix-signature'] = signStandard(s.secret, id, ts, body);
  }
  return headers;
}
