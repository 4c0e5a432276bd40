/**
 * What the browser opens: the hosted Link page of one session (ARCHITECTURE.md §1).
 * @example
 * const session: LinkSession = await createLinkSession({}, { clientReferenceId: user.id });
 */
export interface LinkSession {
  /** Always `"hosted"`: the only mode the browser can open. A legacy upstream answer without `mode` is hosted. */
  mode: 'hosted';
  /** The hosted page URL. A bearer capability: never log it, never cache it across users, open it once. */
  url: string;
  /** ISO-8601 expiry time. */
  expiresAt: string;
}

/**
 * Geolocation override for a session: `country` is required whenever the object is sent.
 * @example
 * const geolocation: Geolocation = { country: 'US', state: 'CA', city: 'San Francisco' };
 */
export interface Geolocation {
  /** Country code, e.g. `"US"`. */
  country: string;
  /** State or region, e.g. `"CA"`. */
  state?: string;
  /** City, e.g. `"San Francisco"`. */
  city?: string;
}

/**
 * An OFAuth connection, as `GET /v2/account/connections` lists it (PROTOCOL.md §5).
 * @example
 * const connection: Connection = await confirmConnection({}, { connectionId, clientReferenceId: user.id });
 * connection.userData.username; // the OnlyFans account
 */
export interface Connection {
  /** `conn_…` */
  id: string;
  /** Lifecycle state; only `active` connections are confirmed. */
  status: 'active' | 'expired' | 'awaiting_2fa';
  /** The OnlyFans account behind the connection. */
  userData: { id: string; name: string; username: string; avatar: string | null };
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
