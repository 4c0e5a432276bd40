import type { Connection, Geolocation } from '@oflink/protocol';
import type { Fault, RuntimeOptions, SimulatorOptions } from './options';

export type { Connection };

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

/** A running simulator (see ARCHITECTURE.md §2). */
export interface Simulator {
  /** Base URL of the API and the hosted pages, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** The first API key. */
  apiKey: string;
  /** The webhook signing secret in use (`whsec_…`). */
  webhookSecret: string;
  /** The effective options (after defaults). */
  options(): Readonly<SimulatorOptions>;
  /** Stop listening and close every socket, keep-alive ones too. */
  stop(): Promise<void>;
  /** Change options at run time (not `port`/`host`/`webhookSecret`). */
  configure(patch: RuntimeOptions): void;
  /** Queue a fault for the next `times` (default 1) `/v2` API requests. */
  injectFault(fault: Fault): void;
  /** Drop queued faults. */
  clearFaults(): void;
  /** Expire a session (by id or URL) now, or every open one; returns how many expired. */
  expireSession(idOrUrl?: string): number;
  /** Every session so far. */
  sessions(): SessionRecord[];
  /** Every connection (PROTOCOL.md §5 shape), oldest first. */
  connections(): Connection[];
  /** Add a connection directly (for test setups). */
  addConnection(input: Partial<Connection> & { clientReferenceId?: string | null }): Connection;
  /** Every webhook attempt so far. */
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves when every queued webhook delivery has finished (all its attempts). */
  webhooksIdle(): Promise<void>;
  /**
   * Sends a message again with its id and body, signed anew, as OFAuth's dashboard resends a failed
   * event; resolves when its attempts are done (false when no message has that id).
   */
  resendWebhook(messageId: string): Promise<boolean>;
  /** Forget sessions, connections, faults and deliveries. */
  reset(): void;
}
