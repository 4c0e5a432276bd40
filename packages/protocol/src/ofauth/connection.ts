import type { OnlyFansUser } from './user';

/** A connection's lifecycle state: only `active` connections are usable. */
export type ConnectionStatus = 'active' | 'expired' | 'awaiting_2fa';

/** The connection states OFAuth documents, in one list for filters and checks. */
export const CONNECTION_STATUSES = [
  'active',
  'expired',
  'awaiting_2fa',
] as const satisfies readonly ConnectionStatus[];

/**
 * An OFAuth connection as `GET /v2/account/connections` lists it (PROTOCOL.md §5).
 * @example
 * const label = (c: Connection) => `@${c.userData.username} (${c.status})`;
 */
export interface Connection {
  /** `conn_…` */
  id: string;
  /** Lifecycle state; only `active` connections are confirmed. */
  status: ConnectionStatus;
  /** The OnlyFans account behind the connection. */
  userData: OnlyFansUser;
  /** Granted permissions. */
  permissions: string[];
  /** ISO time the connection expired, or null. */
  expiredAt: string | null;
  /** ISO creation time. */
  createdAt: string;
  /** ISO time of the last change. */
  updatedAt: string;
  /** The app's own id for the end user, given as `clientReferenceId` when the session was created. */
  clientReferenceId: string | null;
  /** Whether the connection was imported rather than created through Link. */
  imported: boolean;
  /** ISO time of the last health check, or null. */
  lastCheckedAt: string | null;
}

/** `data.connection` of a webhook as OFAuth's SDKs type it (`connection.expired` carries only the first three). */
export interface SdkWebhookConnection {
  id: string;
  platformUserId: string;
  status: ConnectionStatus;
  userData?: { userId: string; name: string | null; username: string; avatar: string | null };
  permissions?: string[];
}
