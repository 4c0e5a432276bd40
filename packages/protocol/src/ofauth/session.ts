import { isAbsoluteUrl, obj } from './values';

/**
 * A Link session the browser can open: the hosted page of one session. OFAuth's init answer
 * (`POST /v2/link/init`) and the app's session endpoint both carry this shape.
 */
export interface LinkSession {
  /** Always `"hosted"`: the only mode the browser can open. An older answer without `mode` is hosted. */
  mode: 'hosted';
  /** The hosted page URL. A bearer capability: never log it, never cache it across users, open it once. */
  url: string;
  /** ISO-8601 expiry time. */
  expiresAt: string;
}

/** What {@link readHostedSession} found. */
export type HostedSessionRead =
  | { ok: true; session: LinkSession }
  | { ok: false; problem: 'unsupported_mode'; mode: string }
  | { ok: false; problem: 'invalid' };

/**
 * Reads an init answer: `{mode: "hosted", url, expiresAt}`, or the older `{url, expiresAt}` with no
 * `mode`. A whitelabel (or any other) mode is `unsupported_mode`; a url that is not http(s) or an
 * `expiresAt` that is not a date is `invalid`.
 *
 * @example
 * readHostedSession({ url: 'https://link.ofauth.com/cs_1', expiresAt: '2030-01-01T00:00:00Z' }).ok; // true
 */
export function readHostedSession(body: unknown): HostedSessionRead {
  const b = obj(body) ?? {};
  if (b.mode !== undefined && b.mode !== 'hosted')
    return { ok: false, problem: 'unsupported_mode', mode: String(b.mode) };
  const { url, expiresAt } = b;
  if (typeof url !== 'string' || typeof expiresAt !== 'string' || !Number.isFinite(Date.parse(expiresAt)))
    return { ok: false, problem: 'invalid' };
  if (!/^https?:\/\//i.test(url) || !isAbsoluteUrl(url)) return { ok: false, problem: 'invalid' };
  return { ok: true, session: { mode: 'hosted', url, expiresAt } };
}

/**
 * Where the connection should appear to come from (`geolocation` of the init request):
 * `country` is required whenever the object is sent.
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
 * The body of `POST /v2/link/init` (link-init.openapi.yaml): every field optional. The deprecated
 * `mode`, `options` and `origin` are still accepted by OFAuth.
 */
export interface LinkInitRequest {
  /** `app_…`; the account's default app without it. */
  clientAppId?: string;
  /** Where the hosted page sends the person when done; must be registered on the client app. */
  redirectUrl?: string;
  /** The app's own id for the end user, echoed in the callback and in webhooks. */
  clientReferenceId?: string;
  /** Re-authenticate this existing connection. */
  connectionId?: string;
  /** Where the connection should appear to come from. */
  geolocation?: Geolocation;
  /** @deprecated */
  mode?: 'redirect' | 'embed' | 'hosted' | 'whitelabel';
  /** @deprecated */
  options?: { returnRawSession?: boolean };
  /** @deprecated */
  origin?: string;
}
