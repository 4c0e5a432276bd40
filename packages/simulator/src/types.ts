import type { Geolocation } from '@oflink/protocol';

export type { Connection } from '@oflink/protocol';

/** A Link session as the simulator keeps it. */
export interface SessionRecord {
  /** `cs_…` */
  id: string;
  /** The hosted page URL. */
  url: string;
  /** Client app id. */
  appId: string;
  /** API key that created it (a `sk_sandbox_` key turns on `sandbox_info`). */
  apiKey: string;
  /** Where the page sends the person when done, if known. */
  redirectUrl: string | null;
  /** Echoed in the callback and in webhooks. */
  clientReferenceId: string | null;
  /** Connection to update instead of creating a new one. */
  connectionId: string | null;
  /** Geolocation override given at init. */
  geolocation: Geolocation | null;
  /** ISO creation time. */
  createdAt: string;
  /** ISO expiry time. */
  expiresAt: string;
  /** Where the person is: a step, or a terminal state. */
  state: 'pre-login' | 'login' | '2fa' | 'success' | 'cancelled' | 'error' | 'expired';
  /** Sandbox scenario picked by the email, once known. */
  scenarioId: string | null;
  /** Email typed on the login step. */
  email: string | null;
  /** Error code of an `error` outcome. */
  errorCode: string | null;
  /** Connection created or updated on success. */
  resultConnectionId: string | null;
}

/** One webhook delivery attempt. */
export interface WebhookDelivery {
  /** Message id (same for every attempt of one event). */
  id: string;
  /** Event type, e.g. `connection.created`. */
  eventType: string;
  /** 1-based attempt number. */
  attempt: number;
  /** Target URL. */
  url: string;
  /** Headers sent. */
  headers: Record<string, string>;
  /** Raw body sent. */
  body: string;
  /** Response status, or null on a network error or timeout. */
  status: number | null;
  /** Network error or timeout message. */
  error: string | null;
  /** ISO time of the attempt. */
  at: string;
}
