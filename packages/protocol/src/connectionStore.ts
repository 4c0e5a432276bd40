import type { Connection, ConnectionStatus } from './connection';
import { isClientReferenceId, isConnectionId } from './ids';
import type { OnlyFansUser } from './user';
import { printable } from './values';
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
  /** The OnlyFans account, once a confirmation or an event reported it; null again after a disconnect. */
  userData: OnlyFansUser | null;
  /** Granted permissions, as last reported (empty until reported, and after a disconnect). */
  permissions: string[];
  /** The app's own id of the user who owns the connection, once known. */
  clientReferenceId: string | null;
  /** ISO creation time, when OFAuth reported it. */
  createdAt: string | null;
  /** ISO time of the newest change applied (OFAuth's time for it). */
  updatedAt: string;
  /** The type of the newest webhook event applied, or null when only confirmations were. */
  lastEvent: ConnectionEventType | null;
  /** `true` for a live connection, `false` for a sandbox one, null while that was never reported. */
  live: boolean | null;
}

/**
 * A verified `connection.*` webhook event, as a store applies it: the time orders the events of
 * one connection, whatever order they arrive in.
 * @example
 * const change: ConnectionChange = { type: 'connection.expired', timestamp: new Date().toISOString(), connection: { id: 'conn_1', status: 'expired' }, clientReferenceId: null, live: null };
 */
export interface ConnectionChange {
  /** The event type. */
  type: ConnectionEventType;
  /**
   * ISO time of the event, the same on every delivery of it: the body's own time, or the time its
   * message id carries, or OFAuth's `updatedAt` of the connection (see `@oflink/server`'s webhook
   * handler). A change older than the newest one applied to its connection only fills what the
   * record lacks.
   */
  timestamp: string;
  /** The connection as the event carried it (either published shape). */
  connection: WebhookConnection;
  /** The app's own user id the event names, or null (an empty string is no owner). */
  clientReferenceId: string | null;
  /** `true` for a live connection, `false` for a sandbox one, null when the event did not say. */
  live: boolean | null;
}

/**
 * What a store says when it is given a webhook message: `claimed` (the change, if any, is applied
 * now; run the handlers, then settle it), `handled` (applied and handled before, or refused as data
 * that can never be stored: a duplicate), `busy` (another server is handling it at this moment).
 */
export type MessageClaim = 'claimed' | 'handled' | 'busy';

/**
 * How a claimed message ended: `handled` (its handlers succeeded), `failed` (a handler failed: the
 * claim is released so that the sender's retry runs them again; the change stays applied, and
 * applying it again changes nothing), `rejected` (its data can never be stored: it is counted and
 * answered as a duplicate from then on).
 */
export type MessageOutcome = 'handled' | 'failed' | 'rejected';

/**
 * Where an app keeps its users' connections: what the confirm endpoint, the webhook handler and
 * the connections endpoint of `@oflink/server` read and write. `@oflink/connections` implements it
 * on PostgreSQL; any object with these methods works. A method that rejects with an error whose
 * `code` is `invalid_data` refused an input that can never be stored (the webhook handler answers
 * such a message 2xx and reports it); any other rejection is an outage, answered 503
 * `store_unavailable` (the webhook sender then retries).
 * @example
 * const store: ConnectionStore = createConnectionStore(); // from @oflink/connections
 */
export interface ConnectionStore {
  /** Records a connection the server confirmed with OFAuth for this user; resolves to the record. */
  record(
    clientReferenceId: string,
    connection: Connection,
    options?: { live?: boolean | null | undefined },
  ): Promise<StoredConnection>;
  /**
   * Claims a verified webhook message by its id, on every server sharing the store at once, and
   * applies its change (when it has one) in the same transaction.
   */
  claimMessage(messageId: string, change: ConnectionChange | null): Promise<MessageClaim>;
  /** Ends a claimed message (see {@link MessageOutcome}). */
  settleMessage(messageId: string, outcome: MessageOutcome): Promise<void>;
  /**
   * The user's connections (never `disconnected` ones), most recently changed first; with `live`,
   * only the live (`true`) or sandbox (`false`) ones, and those whose kind was never reported.
   */
  list(
    clientReferenceId: string,
    options?: { live?: boolean | null | undefined },
  ): Promise<StoredConnection[]>;
  /** One connection that is not `disconnected`, whoever owns it, or null. */
  find(connectionId: string): Promise<StoredConnection | null>;
  /**
   * Marks a connection `disconnected`: it leaves every list, no later event brings it back, and
   * the OnlyFans profile and permissions are erased from the record. A no-op for an unknown id.
   */
  remove(connectionId: string): Promise<void>;
}

/** Most permissions a stored connection keeps, and the longest one. */
const MAX_PERMISSIONS = 64;
const MAX_PERMISSION = 128;
/** Longest status string kept (OFAuth's are short words; a future one is kept as sent). */
const MAX_STATUS = 32;
/** Longest webhook message id kept as it is (a longer one is keyed by its hash). */
export const MESSAGE_ID_MAX = 128;

/**
 * Why a change can never be stored, or null when it can: the connection id is not a `conn_…` id,
 * the owner is not a client reference id (1–256 printable characters), the status is not a short
 * printable word, or the permissions are too many or too long. The server checks it before the
 * store; `@oflink/connections` checks it again.
 * @example
 * changeProblem({ type: 'connection.expired', timestamp: '2026-01-01T00:00:00Z', connection: { id: 'x', status: 'expired' }, clientReferenceId: null, live: null }); // 'the connection id is not a conn_… id'
 */
export function changeProblem(change: ConnectionChange): string | null {
  const c = change.connection;
  if (!isConnectionId(c.id)) return 'the connection id is not a conn_… id';
  // an empty owner names nobody (it is stored as none)
  const owner = change.clientReferenceId;
  if (owner !== null && owner !== '' && !isClientReferenceId(owner))
    return 'the clientReferenceId is not 1 to 256 printable characters';
  if (printable(c.status, MAX_STATUS) === undefined) return 'the status is not a short printable word';
  if (!Number.isFinite(Date.parse(change.timestamp))) return 'the time is not an ISO date';
  const permissions = c.permissions ?? [];
  if (
    permissions.length > MAX_PERMISSIONS ||
    permissions.some((p) => printable(p, MAX_PERMISSION) === undefined)
  )
    return `the permissions are more than ${MAX_PERMISSIONS} or longer than ${MAX_PERMISSION} characters`;
  return null;
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
