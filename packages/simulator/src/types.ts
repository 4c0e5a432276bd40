/** The connection shape of OFAuth (PROTOCOL.md §5). */
export interface Connection {
  /** `conn_…` */
  id: string;
  /** Lifecycle state. */
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
  /** The app's own id for the end user, from `clientReferenceId` at init. */
  clientReferenceId: string | null;
  /** Whether the connection was imported rather than created through Link. */
  imported: boolean;
  /** ISO time of the last health check, or null. */
  lastCheckedAt: string | null;
}

/** One client app the simulator serves. */
export interface SimulatorApp {
  /** Client app id, `app_…`. */
  id: string;
  /** Allowed redirect URIs; a trailing `:*` port wildcard is allowed (`http://localhost:*`). Default: any localhost/127.0.0.1. */
  redirectUris?: string[];
  /** Allowed embed origins (frame-ancestors); `:*` port wildcard allowed. Default: any localhost/127.0.0.1. */
  allowedOrigins?: string[];
  /** Redirect URI used when a request omits `redirectUrl`. */
  defaultRedirectUri?: string;
}

/** Options of {@link startSimulator}; all optional. */
export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one. @defaultValue 4010 */
  port?: number;
  /** Host to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** Accepted API keys. @defaultValue ['sk_sandbox_simulator'] */
  apiKeys?: string[];
  /** Client apps; the first is used when a request omits `clientAppId`. @defaultValue [{ id: 'app_demo' }] */
  apps?: SimulatorApp[];
  /** Redirect URI used when neither the request nor the app gives one. */
  defaultRedirectUri?: string;
  /** Extra embed origins allowed for every app. */
  allowedOrigins?: string[];
  /** Where webhooks are POSTed; none are sent without it. */
  webhookUrl?: string;
  /** `whsec_<base64>` signing secret. @defaultValue a random one */
  webhookSecret?: string;
  /** Signature scheme. @defaultValue 'standard' (svix-* headers) */
  webhookScheme?: 'standard' | 'ofauth';
  /** Envelope. @defaultValue 'sdk' (`{eventType, live, data}`); 'docs' is `{type, timestamp, data}` */
  webhookEnvelope?: 'sdk' | 'docs';
  /** Delay before retry n is `webhookRetryBaseMs * 2^(n-1)`. @defaultValue 5000 */
  webhookRetryBaseMs?: number;
  /** Per-attempt timeout. @defaultValue 10000 */
  webhookTimeoutMs?: number;
  /** Session lifetime. @defaultValue 1800 */
  sessionTtlSeconds?: number;
  /** Send `Cross-Origin-Opener-Policy: same-origin` on hosted pages. @defaultValue false */
  coop?: boolean;
  /** Shape of the 200 from `/v2/link/init`. @defaultValue 'hosted' */
  initResponse?: 'hosted' | 'legacy' | 'whitelabel';
  /** postMessage shape of the embedded page. @defaultValue 'v4' */
  messageShape?: 'v4' | 'legacy';
  /** Session URL style: `/cs_…` or `/s/cs_…`. @defaultValue 'root' */
  sessionPath?: 'root' | 's';
  /** Open sessions beyond this give 403 `{error: "limit reached"}`. @defaultValue unlimited */
  maxOpenSessions?: number;
  /** Latency added to every API response, in ms. @defaultValue 0 */
  latencyMs?: number;
  /** Silence the simulator's own log lines. @defaultValue false */
  quiet?: boolean;
}

/** A fault applied to the next `times` (default 1) `/v2` API requests. */
export type Fault =
  | { type: 'latency'; ms: number; times?: number }
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string>; times?: number }
  | { type: 'reset'; times?: number }
  | { type: 'malformed'; times?: number }
  | { type: 'rate-limit'; retryAfter: number; times?: number }
  | { type: 'slow-body'; ms: number; times?: number };

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
  geolocation: { country: string; state?: string; city?: string } | null;
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
