import { printable } from './values';

/**
 * A connection id as OFAuth issues it: `conn_` then 1–120 URL-safe characters. The browser, the
 * server and the simulator all use this one rule, so a callback id the browser reports as a
 * success is one the server accepts.
 */
export const CONNECTION_ID = /^conn_[A-Za-z0-9_-]{1,120}$/;

/** Longest `clientReferenceId`: the app's own user id, echoed in callbacks and webhooks. */
export const CLIENT_REFERENCE_ID_MAX = 256;

/** A client app id: `app_` then letters and digits. */
export const CLIENT_APP_ID = /^app_[a-zA-Z0-9]+$/;

/** Type guard for {@link CONNECTION_ID}. */
export const isConnectionId = (v: unknown): v is string => typeof v === 'string' && CONNECTION_ID.test(v);

/** Type guard for a `clientReferenceId`: 1–256 printable characters (an email or a uuid both pass). */
export const isClientReferenceId = (v: unknown): v is string =>
  printable(v, CLIENT_REFERENCE_ID_MAX) !== undefined;
