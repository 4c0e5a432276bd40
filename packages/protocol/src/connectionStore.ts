import type { Connection, ConnectionStatus } from './connection';
import type { OnlyFansUser } from './user';
import type { ConnectionEventType, WebhookConnection } from './webhook';

/**
 * A connection as the app's own store keeps it and the connections endpoint lists it. `status`
 * is OFAuth's, or `disconnected` once OFAuth or the user ended it (such a record is kept only so
 * that a late event cannot bring it back; it is never listed).
 * @example
 * const label = (c: StoredConnection) => `@${c.userData?.username ?? c.id} (${c.status})`;
 */
export interface StoredConnection {
  /** `conn_…` */
  id: string;
  /** OFAuth's lifecycle state, `disconnected`, or a state this version does not know. */
  status: ConnectionStatus | 'disconnected' | (string & {});
  /** The OnlyFans account, once a confirmation or an event reported it. */
  userData: OnlyFansUser | null;
  /** Granted permissions, as last reported. */
  permissions: string[];
  /** The app's own id of the user who owns the connection, once known. */
  clientReferenceId: string | null;
  /** ISO creation time, when OFAuth reported it. */
  createdAt: string | null;
  /** ISO time of the newest change applied (OFAuth's time for it). */
  updatedAt: string;
  /** The type of the newest webhook event applied, or null when only confirmations were. */
  lastEvent: ConnectionEventType | null;
}

/**
 * A verified `connection.*` webhook event, as a store applies it: the message id de-duplicates, the
 * time orders events of one connection.
 * @example
 * const change: ConnectionChange = { messageId: 'msg_1', type: 'connection.expired', timestamp: new Date().toISOString(), connection: { id: 'conn_1', status: 'expired' }, clientReferenceId: null };
 */
export interface ConnectionChange {
  /** The webhook message id, stable across the sender's retries. */
  messageId: string;
  /** The event type. */
  type: ConnectionEventType;
  /** ISO time of the event. */
  timestamp: string;
  /** The connection as the event carried it (either published shape). */
  connection: WebhookConnection;
  /** The app's own user id the event names, or null. */
  clientReferenceId: string | null;
}

/**
 * Where an app keeps its users' connections: what the confirm endpoint, the webhook handler and
 * the connections endpoint of `@oflink/server` read and write. `@oflink/connections` implements it
 * on PostgreSQL; any object with these methods works. A method that throws or rejects is answered
 * 503 `store_unavailable` (the webhook sender then retries).
 * @example
 * const store: ConnectionStore = await createConnectionStore(); // from @oflink/connections
 */
export interface ConnectionStore {
  /** Records a connection the server confirmed with OFAuth for this user; resolves to the record. */
  record(clientReferenceId: string, connection: Connection): Promise<StoredConnection>;
  /** Applies a verified event once: false when its message id was applied before. */
  applyChange(change: ConnectionChange): Promise<boolean>;
  /** The user's connections (never `disconnected` ones), most recently changed first. */
  list(clientReferenceId: string): Promise<StoredConnection[]>;
  /** One connection that is not `disconnected`, whoever owns it, or null. */
  find(connectionId: string): Promise<StoredConnection | null>;
  /** Marks a connection `disconnected` (it leaves every list); a no-op for an unknown id. */
  remove(connectionId: string): Promise<void>;
}

/**
 * Whether a connection needs the person to sign in again: OnlyFans signed it out (`expired`) or
 * waits for a one-time code (`awaiting_2fa`). Link with its `connectionId` reconnects it.
 * @example
 * needsReconnect('expired'); // true
 */
export function needsReconnect(status: string): boolean {
  return status === 'expired' || status === 'awaiting_2fa';
}

/** The body of a `GET` to the connections endpoint. */
export interface ConnectionsListBody {
  /** The signed-in user's connections, most recently changed first. */
  connections: StoredConnection[];
}
