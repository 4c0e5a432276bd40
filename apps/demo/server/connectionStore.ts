import type { Connection, WebhookEvent } from '@oflink/server';

/** Connection events the store applies. */
type ConnectionEvent = Extract<WebhookEvent, { type: `connection.${string}` }>;

/** A connection as the demo server knows it, and as `GET /api/connections` answers it. */
export interface DemoConnection {
  id: string;
  status: Connection['status'] | 'disconnected' | (string & {});
  userData: Connection['userData'];
  permissions: string[];
  createdAt: string;
  updatedAt: string;
  clientReferenceId: string | null;
  /** How the server learned about it: a verified webhook, its own confirmation, or both. */
  sources: ('webhook' | 'confirmed')[];
  /** The type of the last verified webhook event about it, or null. */
  lastEvent: string | null;
}

interface Entry {
  connection: DemoConnection;
  /** clientReferenceId the webhooks attributed the connection to. */
  webhookOwner: string | null;
  /** Demo users who confirmed it through `POST /api/oflink/confirm`. */
  confirmedBy: Set<string>;
  /** Time of the newest applied webhook event, so a late retry of an older event changes nothing. */
  eventTime: number;
}

const UNKNOWN_USER = { id: '', name: 'Unknown account', username: 'unknown', avatar: null };

/**
 * In-memory record of connections (a real app keeps this in its database). Owned by a demo user
 * when the user confirmed it or a verified webhook carried the user's id as `clientReferenceId`.
 *
 * @example
 * const store = new ConnectionStore();
 * store.confirm('user_0123456789abcdef', connection);
 * store.owns('user_0123456789abcdef', connection.id); // true
 */
export class ConnectionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #processed = new Set<string>();

  /** Whether a webhook message id was already applied (for createWebhookHandler's `seen`). */
  seen(messageId: string): boolean {
    return this.#processed.has(messageId);
  }

  /** Records a processed webhook message id (for createWebhookHandler's `remember`). */
  remember(messageId: string): void {
    this.#processed.add(messageId);
  }

  /** Applies a verified `connection.*` webhook event. */
  applyEvent(event: ConnectionEvent): void {
    const incoming = event.data.connection;
    const time = Date.parse(event.timestamp) || Date.now();
    const entry = this.#entry(incoming.id);
    if (time < entry.eventTime) return;
    entry.eventTime = time;
    const c = entry.connection;
    if (incoming.userData) c.userData = incoming.userData;
    if (incoming.permissions) c.permissions = incoming.permissions;
    if (incoming.createdAt) c.createdAt = incoming.createdAt;
    c.updatedAt = incoming.updatedAt ?? event.timestamp;
    c.status = event.type === 'connection.disconnected' ? 'disconnected' : incoming.status;
    const owner = event.data.clientReferenceId ?? incoming.clientReferenceId ?? null;
    if (owner) {
      entry.webhookOwner = owner;
      c.clientReferenceId = owner;
    }
    c.lastEvent = event.type;
    if (!c.sources.includes('webhook')) c.sources.push('webhook');
  }

  /** Records a connection the server confirmed with OFAuth for `userId`; returns the merged view. */
  confirm(userId: string, connection: Connection): DemoConnection {
    const entry = this.#entry(connection.id);
    entry.confirmedBy.add(userId);
    const c = entry.connection;
    c.userData = connection.userData;
    c.permissions = connection.permissions;
    c.createdAt = connection.createdAt;
    c.clientReferenceId = connection.clientReferenceId;
    if (Date.parse(connection.updatedAt) >= entry.eventTime || c.lastEvent === null) {
      c.status = connection.status;
      c.updatedAt = connection.updatedAt;
    }
    if (!c.sources.includes('confirmed')) c.sources.push('confirmed');
    return structuredClone(c);
  }

  /** Whether `userId` may reconnect `connectionId`. */
  owns(userId: string, connectionId: string): boolean {
    const entry = this.#entries.get(connectionId);
    return !!entry && (entry.webhookOwner === userId || entry.confirmedBy.has(userId));
  }

  /** The user's connections, newest change first. */
  list(userId: string): DemoConnection[] {
    return [...this.#entries.values()]
      .filter((e) => e.webhookOwner === userId || e.confirmedBy.has(userId))
      .map((e) => structuredClone(e.connection))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (!entry) {
      const now = new Date(0).toISOString();
      entry = {
        connection: {
          id,
          status: 'active',
          userData: { ...UNKNOWN_USER },
          permissions: [],
          createdAt: now,
          updatedAt: now,
          clientReferenceId: null,
          sources: [],
          lastEvent: null,
        },
        webhookOwner: null,
        confirmedBy: new Set(),
        eventTime: 0,
      };
      this.#entries.set(id, entry);
    }
    return entry;
  }
}
