import {
  CLIENT_APP_ID,
  type Geolocation,
  type LinkInitRequest,
  type LinkSession,
  readHostedSession,
} from '@oflink/protocol';
import { ofauthEnv } from './env';
import { invalidOptions, OflinkServerError } from './OflinkServerError';
import { checkClientReferenceId, checkConnectionId, checkGeolocation } from './sessionParams';
import { callUpstream } from './upstream';
import { type ResolvedUpstream, resolveUpstream, type UpstreamOptions } from './upstreamOptions';

/**
 * Options of {@link createLinkSession}: the upstream options plus the app-level session settings.
 * @example
 * const options: LinkSessionOptions = { clientAppId: 'app_demo', redirectUrl: 'https://app.example.com/callback' };
 */
export interface LinkSessionOptions extends UpstreamOptions {
  /**
   * OFAuth client app (`app_…`). Without it OFAuth uses the key's default app.
   * @defaultValue undefined
   */
  clientAppId?: string | undefined;
  /**
   * Where Link sends the person when done; must be registered on the client app. Server-side only:
   * the browser can never choose it.
   * @defaultValue undefined (the client app's default redirect URI)
   */
  redirectUrl?: string | undefined;
}

/**
 * Arguments of one session: who it is for, and optionally which connection to re-authenticate.
 * @example
 * const params: LinkSessionParams = { clientReferenceId: user.id, geolocation: { country: 'US' } };
 */
export interface LinkSessionParams {
  /** Your own id of the signed-in user; echoed back in the callback and in webhooks. */
  clientReferenceId: string;
  /** Re-authenticate this existing connection (`conn_…`). Check ownership before passing it. */
  connectionId?: string | undefined;
  /** Geolocation override; `country` is required when given. */
  geolocation?: Geolocation | undefined;
  /** Aborts the upstream call (e.g. when the browser disconnected). */
  signal?: AbortSignal | undefined;
}

/** The validated app-level settings; internal. */
export interface ResolvedSessionOptions {
  upstream: ResolvedUpstream;
  clientAppId?: string;
  redirectUrl?: string;
}

/** Validates {@link LinkSessionOptions}; throws `invalid_options` naming the fix. Internal. */
export function resolveSessionOptions(options: LinkSessionOptions, caller: string): ResolvedSessionOptions {
  const upstream = resolveUpstream(options, caller);
  const resolved: ResolvedSessionOptions = { upstream };
  const env = ofauthEnv();
  const clientAppId = options.clientAppId ?? env.clientAppId;
  const redirectUrl = options.redirectUrl ?? env.redirectUrl;
  if (clientAppId !== undefined) {
    if (typeof clientAppId !== 'string' || !CLIENT_APP_ID.test(clientAppId)) {
      throw invalidOptions(
        `${caller}: clientAppId (or OFAUTH_CLIENT_APP_ID) must look like "app_…" (letters and digits).`,
      );
    }
    resolved.clientAppId = clientAppId;
  }
  if (redirectUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(String(redirectUrl));
      ok = typeof redirectUrl === 'string' && (u.protocol === 'https:' || u.protocol === 'http:');
    } catch {
      ok = false;
    }
    if (!ok)
      throw invalidOptions(
        `${caller}: redirectUrl (or OFAUTH_REDIRECT_URL) must be an absolute http(s) URL registered on the client app.`,
      );
    resolved.redirectUrl = redirectUrl;
  }
  return resolved;
}

/** Creates one session with already-validated options and parameters. Internal; used by the handler. */
export async function requestLinkSession(
  options: ResolvedSessionOptions,
  params: LinkSessionParams,
): Promise<LinkSession> {
  const body: LinkInitRequest = { clientReferenceId: params.clientReferenceId };
  if (options.clientAppId !== undefined) body.clientAppId = options.clientAppId;
  if (options.redirectUrl !== undefined) body.redirectUrl = options.redirectUrl;
  if (params.connectionId !== undefined) body.connectionId = params.connectionId;
  if (params.geolocation !== undefined) body.geolocation = params.geolocation;
  const { json } = await callUpstream(options.upstream, {
    method: 'POST',
    path: '/v2/link/init',
    body,
    ...(params.signal ? { signal: params.signal } : {}),
  });
  return parseInitResponse(json);
}

function parseInitResponse(json: unknown): LinkSession {
  const read = readHostedSession(json);
  if (read.ok) return read.session;
  if (read.problem === 'unsupported_mode')
    throw new OflinkServerError(
      'unsupported_mode',
      500,
      read.mode === 'whitelabel'
        ? 'OFAuth created a whitelabel session (clientSecret), which the browser cannot open. Configure the client app for hosted Link.'
        : 'OFAuth answered a session mode this server does not support.',
    );
  throw new OflinkServerError(
    'upstream_unavailable',
    502,
    'OFAuth answered 200 without a usable session (url must be an http(s) URL and expiresAt an ISO date).',
  );
}

/**
 * Creates an OFAuth Link session for one user: `POST {baseUrl}/v2/link/init` with the apiKey, the
 * same timeout, retries and error mapping as `createLinkHandler`. For apps with their own
 * routing; validate the user yourself, and check ownership before passing a `connectionId`.
 * Throws an {@link OflinkServerError} (`invalid_request` for bad parameters, upstream codes otherwise).
 *
 * @param options - `apiKey` (defaults to `OFAUTH_API_KEY`), `baseUrl`, `clientAppId`, `redirectUrl`, `timeoutMs`, `retries`, `fetch`.
 * @param params - `clientReferenceId` (required), `connectionId?`, `geolocation?`, `signal?`.
 * @returns `{ mode: 'hosted', url, expiresAt }`; never log or cache the URL.
 *
 * @example
 * import { createLinkSession } from '@oflink/server';
 *
 * const session = await createLinkSession(
 *   { redirectUrl: 'https://app.example.com/callback' },
 *   { clientReferenceId: user.id },
 * );
 * return Response.json(session, { headers: { 'cache-control': 'no-store' } });
 */
export async function createLinkSession(
  options: LinkSessionOptions,
  params: LinkSessionParams,
): Promise<LinkSession> {
  const resolved = resolveSessionOptions(options, 'createLinkSession');
  if (params === null || typeof params !== 'object') {
    throw new OflinkServerError('invalid_request', 400, 'createLinkSession: pass { clientReferenceId }.');
  }
  const ref = checkClientReferenceId(params.clientReferenceId);
  if (!ref.ok) throw new OflinkServerError('invalid_request', 400, `createLinkSession: ${ref.message}`);
  const clean: LinkSessionParams = { clientReferenceId: ref.value };
  if (params.connectionId !== undefined) {
    const id = checkConnectionId(params.connectionId);
    if (!id.ok) throw new OflinkServerError('invalid_request', 400, `createLinkSession: ${id.message}`);
    clean.connectionId = id.value;
  }
  if (params.geolocation !== undefined) {
    const geo = checkGeolocation(params.geolocation);
    if (!geo.ok) throw new OflinkServerError('invalid_request', 400, `createLinkSession: ${geo.message}`);
    clean.geolocation = geo.value;
  }
  if (params.signal) clean.signal = params.signal;
  return requestLinkSession(resolved, clean);
}
