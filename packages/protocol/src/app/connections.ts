// The app's connections endpoint, as the store keeps its records and the browser lists them, and
// the limits of what a record can hold.
import type { ConnectionStatus } from '../ofauth/connection';
import { isClientReferenceId, isConnectionId } from '../ofauth/ids';
import type { OnlyFansUser } from '../ofauth/user';
import { printable } from '../ofauth/values';
import type { ConnectionEventType } from '../ofauth/webhook';

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

/** Most permissions a stored connection keeps, and the longest one. */
const MAX_PERMISSIONS = 64;
const MAX_PERMISSION = 128;
/** Longest status string kept (OFAuth's are short words; a future one is kept as sent). */
const MAX_STATUS = 32;
/** Longest webhook message id kept as it is (a longer one is keyed by its hash). */
export const MESSAGE_ID_MAX = 128;

/** What a store keeps of a webhook event's change: the parts {@link changeProblem} checks. */
export interface StorableChange {
  timestamp: string;
  connection: { id: string; status: string; permissions?: string[] | undefined };
  clientReferenceId: string | null;
}

/**
 * Why a change can never be stored, or null when it can: the connection id is not a `conn_…` id,
 * the owner is not a client reference id (1–256 printable characters), the status is not a short
 * printable word, or the permissions are too many or too long. The server checks it before the
 * store; `@oflink/connections` checks it again.
 * @example
 * changeProblem({ timestamp: '2026-01-01T00:00:00Z', connection: { id: 'x', status: 'expired' }, clientReferenceId: null }); // 'the connection id is not a conn_… id'
 */
export function changeProblem(change: StorableChange): string | null {
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
