import type { ConnectionStore } from '@oflink/protocol';
import type { ErrorBody } from './answer';
import { type LinkSessionOptions, requestLinkSession, resolveSessionOptions } from './createLinkSession';
import { checkHandlerOptions } from './handlerOptions';
import { type EndpointCall, endpointConfig, jsonEndpoint } from './jsonEndpoint';
import { OflinkServerError } from './OflinkServerError';
import { checkSessionBody } from './sessionParams';
import { type BrowserEndpointOptions, signedInUser } from './signedInUser';
import { fromStore } from './storeCall';
import { DEFAULT_TIMEOUT_MS, deferMissing } from './upstreamOptions';

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
export type LinkHandlerErrorBody = ErrorBody;

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
    async ({ request, body: raw, reply, refuse, internal }) => {
      const session = settings.get();
      apiKey = session.upstream.apiKey;
      const body = checkSessionBody(raw);
      if (!body.ok) return refuse('invalid_request', 400, body.message);
      const user = await signedInUser(request, getClientReferenceId, internal);
      if (user === null) return refuse('unauthenticated', 401, 'getClientReferenceId returned no user');
      const { connectionId, geolocation } = body.value;
      if (connectionId !== undefined) {
        if (!owns) return refuse('reconnect_not_allowed', 403, 'no ownsConnection option');
        if ((await owns(user, connectionId, internal)) !== true)
          return refuse('connection_not_owned', 403, 'ownsConnection did not return true');
      }
      const result = await requestLinkSession(session, {
        clientReferenceId: user,
        ...(connectionId === undefined ? {} : { connectionId }),
        ...(geolocation === undefined ? {} : { geolocation }),
        signal: request.signal,
      });
      return reply(200, result);
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
