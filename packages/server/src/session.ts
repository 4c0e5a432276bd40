// The session: `createLinkSession` creates one OFAuth Link session for a user (`POST /v2/link/init`
// with the apiKey), and `createLinkHandler` is the endpoint the browser calls for one: the request
// checked (origin, method, body), the signed-in user, the ownership of a reconnect, then the session.
import {
  CLIENT_APP_ID,
  checkClientReferenceId,
  checkConnectionId,
  checkGeolocation,
  checkSessionBody,
  type EndpointErrorCode,
  type Geolocation,
  type LinkInitRequest,
  type LinkSession,
  readHostedSession,
} from '@oflink/protocol';
import {
  checkHandlerOptions,
  DEFAULT_TIMEOUT_MS,
  deferMissing,
  ofauthEnv,
  type ResolvedUpstream,
  resolveUpstream,
  type UpstreamOptions,
} from './config';
import type { ConnectionStore } from './connections';
import {
  type BrowserEndpointOptions,
  type EndpointCall,
  endpointConfig,
  fromStore,
  jsonEndpoint,
  signedInUser,
} from './endpoint';
import { invalidOptions, OflinkServerError, refusal } from './errors';
import { callUpstream } from './upstream';

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

/** Creates one session with already-validated options and parameters. Used by the handler. */
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

/**
 * Largest accepted request body, in bytes (counted on the wire, whatever `Content-Length` says). Internal.
 * @example MAX_BODY_BYTES // 4096
 */
export const MAX_BODY_BYTES = 4096;

/**
 * Options of {@link createLinkHandler}. Validated when the handler is created.
 * @example
 * const options: LinkHandlerOptions = {
 *   redirectUrl: 'https://app.example.com/callback',
 *   getClientReferenceId: (request) => sessionUserId(request),
 *   ownsConnection: (userId, connectionId) => db.connections.isOwnedBy(connectionId, userId),
 * };
 */
export interface LinkHandlerOptions extends LinkSessionOptions, BrowserEndpointOptions {
  /**
   * Says whether the connection belongs to the user. Required before a request with `connectionId`
   * (a reconnect) is accepted: without it such requests get 403 `reconnect_not_allowed`. Only a
   * returned `true` counts as owned.
   * @defaultValue undefined (reconnects refused), or the `store`'s record when a store is given
   */
  ownsConnection?:
    | ((clientReferenceId: string, connectionId: string) => boolean | Promise<boolean>)
    | undefined;
  /**
   * The app's connection store (e.g. `createConnectionStore()` of `@oflink/connections`): without
   * `ownsConnection`, a reconnect is allowed when the store records the connection as the user's.
   * @defaultValue undefined
   */
  store?: ConnectionStore | undefined;
}

/**
 * The JSON body of every error response.
 * @example
 * const body: LinkHandlerErrorBody = { error: { code: 'unauthenticated', message: 'Sign in before connecting an account.' } };
 */
export interface LinkHandlerErrorBody {
  error: { code: EndpointErrorCode; message: string };
}

/**
 * Creates the session endpoint the browser calls (`POST /api/oflink/session` by default): a Fetch
 * API handler `(Request) => Promise<Response>` for Next.js route handlers, Hono, Workers, Bun and
 * Deno (and Node/Express through {@link toNodeHandler}). It checks the method, origin, content
 * type, size and shape of the request, asks `getClientReferenceId` who the user is, checks
 * ownership of a reconnect, then creates the session with the apiKey. 200 answers
 * `{ mode: 'hosted', url, expiresAt }` with `Cache-Control: no-store`; every error is
 * `{ error: { code, message } }` (codes in the package README). Options are validated here (a
 * wrong value throws at once); a missing apiKey is not: it is read from `OFAUTH_API_KEY` at the
 * first request, which answers 500 `server_misconfigured` and logs what is missing while it is unset,
 * so `next build` never needs the secret.
 *
 * @example
 * // app/api/oflink/session/route.ts (Next.js App Router)
 * import { createLinkHandler } from '@oflink/server';
 * import { cookies } from 'next/headers';
 *
 * export const POST = createLinkHandler({
 *   redirectUrl: 'https://app.example.com/callback',
 *   getClientReferenceId: async () => (await cookies()).get('user_id')?.value ?? null,
 * });
 */
export function createLinkHandler(options: LinkHandlerOptions): (request: Request) => Promise<Response> {
  checkHandlerOptions(
    options,
    'createLinkHandler',
    ['getClientReferenceId', 'ownsConnection', 'onError'],
    ['getClientReferenceId'],
  );
  // a missing apiKey is reported by the first request, not here: see deferMissing
  const settings = deferMissing(() => resolveSessionOptions(options, 'createLinkHandler'));
  const { getClientReferenceId } = options;
  const owns = ownership(options);
  let apiKey = '';

  return jsonEndpoint(
    endpointConfig(options, 'createLinkHandler', MAX_BODY_BYTES, () => [apiKey]),
    async ({ request, body: raw, internal }) => {
      const session = settings.get();
      apiKey = session.upstream.apiKey;
      const body = checkSessionBody(raw);
      if (!body.ok) throw refusal('invalid_request', 400, body.message);
      const user = await signedInUser(request, getClientReferenceId, internal);
      const { connectionId, geolocation } = body.value;
      if (connectionId !== undefined) {
        if (!owns) throw refusal('reconnect_not_allowed', 403, 'no ownsConnection option');
        if ((await owns(user, connectionId, internal)) !== true)
          throw refusal('connection_not_owned', 403, 'ownsConnection did not return true');
      }
      return requestLinkSession(session, {
        clientReferenceId: user,
        ...(connectionId === undefined ? {} : { connectionId }),
        ...(geolocation === undefined ? {} : { geolocation }),
        signal: request.signal,
      });
    },
  );
}

type Ownership = (user: string, connectionId: string, internal: EndpointCall['internal']) => Promise<unknown>;

/**
 * Who may reconnect what: the app's `ownsConnection`, else the store's record, else nobody (null).
 * A throwing `ownsConnection` is a 500; a failing store keeps its own 503.
 */
function ownership({ ownsConnection, store, timeoutMs }: LinkHandlerOptions): Ownership | null {
  const deadline = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const owns =
    ownsConnection ??
    (store &&
      (async (user: string, id: string) =>
        (await fromStore('find the connection', () => store.find(id), deadline))?.clientReferenceId ===
        user));
  if (!owns) return null;
  return async (user, connectionId, internal) => {
    try {
      return await owns(user, connectionId);
    } catch (error) {
      if (error instanceof OflinkServerError && error.code === 'store_unavailable') throw error;
      throw internal('ownsConnection threw.', error);
    }
  };
}
