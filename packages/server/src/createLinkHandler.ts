import {
  type LinkSessionOptions,
  type ResolvedSessionOptions,
  requestLinkSession,
  resolveSessionOptions,
} from './createLinkSession';
import { OflinkServerError, type OflinkServerErrorCode } from './OflinkServerError';
import { type PlainAnswer, toResponse, withAnswerFunction } from './plainBody';
import { readBounded } from './readBounded';
import { sanitizeCause } from './redact';
import { checkClientReferenceId, checkSessionBody } from './sessionParams';

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
export interface LinkHandlerOptions extends LinkSessionOptions {
  /**
   * Returns your own id of the signed-in user from the request (cookie, session, JWT…), or `null`
   * when nobody is signed in (→ 401 `unauthenticated`). The only source of `clientReferenceId`.
   * The request body has already been read: use headers and cookies. Required.
   */
  getClientReferenceId: (request: Request) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Origins allowed besides the request's own (exact origins such as `https://app.example.com`, no
   * wildcards). Use it behind a proxy that changes the host or protocol, or for a sibling origin
   * (CORS preflight is answered for these, with credentials). A listed origin is accepted even when
   * the browser says `Sec-Fetch-Site: cross-site`.
   * @defaultValue [] (only the request's own origin)
   */
  allowedOrigins?: string[];
  /**
   * Says whether the connection belongs to the user. Required before a request with `connectionId`
   * (a reconnect) is accepted: without it such requests get 403 `reconnect_not_allowed`. Only a
   * returned `true` counts as owned.
   * @defaultValue undefined (reconnects refused)
   */
  ownsConnection?: (clientReferenceId: string, connectionId: string) => boolean | Promise<boolean>;
  /**
   * Called with every server-side or upstream failure (status ≥ 500, and `rate_limited`), for
   * logging. It never receives the apiKey or a session URL. If it throws, the error is ignored.
   * @defaultValue undefined
   */
  onError?: (error: OflinkServerError) => void | Promise<void>;
}

/**
 * The JSON body of every error response.
 * @example
 * const body: LinkHandlerErrorBody = { error: { code: 'unauthenticated', message: 'Sign in before connecting an account.' } };
 */
export interface LinkHandlerErrorBody {
  error: { code: OflinkServerErrorCode; message: string };
}

const PUBLIC_MESSAGES: Record<OflinkServerErrorCode, string> = {
  method_not_allowed: 'Use POST to create a session.',
  unsupported_media_type: 'Send the body as application/json.',
  body_too_large: `The body must be at most ${MAX_BODY_BYTES} bytes.`,
  invalid_request: 'The request is not valid.',
  forbidden_origin: 'This endpoint only accepts requests from its own site.',
  unauthenticated: 'Sign in before connecting an account.',
  connection_not_owned: 'That connection does not belong to the signed-in user.',
  reconnect_not_allowed: 'Reconnecting an existing connection is not enabled on this server.',
  server_misconfigured:
    'The server is not configured correctly for OFAuth. The details are in the server logs.',
  upstream_rejected: 'OFAuth rejected the session request.',
  limit_reached: 'The OFAuth session limit is reached. Try again later.',
  rate_limited: 'Too many session requests. Try again shortly.',
  upstream_unavailable: 'OFAuth is unavailable right now. Try again shortly.',
  upstream_timeout: 'OFAuth did not answer in time. Try again.',
  unsupported_mode: 'The OFAuth client app uses a session mode this server does not support.',
  connection_not_found: 'That connection was not found.',
  connection_inactive: 'That connection is not active.',
  invalid_options: 'The server is not configured correctly.',
  internal_error: 'Something went wrong on the server.',
};

function normalizeOrigins(list: unknown): Set<string> {
  if (list === undefined) return new Set();
  if (!Array.isArray(list)) {
    throw new OflinkServerError(
      'invalid_options',
      500,
      'createLinkHandler: allowedOrigins must be an array of origins.',
    );
  }
  const out = new Set<string>();
  for (const entry of list) {
    let origin: string | null = null;
    try {
      const u = typeof entry === 'string' ? new URL(entry) : null;
      if (
        u &&
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        !u.host.includes('*') &&
        u.origin === entry.replace(/\/$/, '')
      ) {
        origin = u.origin;
      }
    } catch {
      origin = null;
    }
    if (!origin) {
      throw new OflinkServerError(
        'invalid_options',
        500,
        `createLinkHandler: allowedOrigins entries must be exact origins like "https://app.example.com" (got ${JSON.stringify(String(entry)).slice(0, 80)}).`,
      );
    }
    out.add(origin);
  }
  return out;
}

type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; code: 'body_too_large' | 'invalid_request' };

async function readBody(request: Request, preread: Uint8Array | null): Promise<BodyRead> {
  // read by toNodeHandler already (the same limit applies)
  if (preread) {
    return preread.length > MAX_BODY_BYTES
      ? { ok: false, code: 'body_too_large' }
      : { ok: true, bytes: preread };
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > MAX_BODY_BYTES) {
    request.body?.cancel().catch(() => undefined);
    return { ok: false, code: 'body_too_large' };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  try {
    const bytes = await readBounded(reader, MAX_BODY_BYTES);
    return bytes === 'too_large' ? { ok: false, code: 'body_too_large' } : { ok: true, bytes };
  } catch {
    return { ok: false, code: 'invalid_request' };
  }
}

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const [type, ...params] = value.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k?.trim().toLowerCase() === 'charset' && v?.trim().replace(/"/g, '').toLowerCase() !== 'utf-8')
      return false;
  }
  return true;
}

/**
 * Creates the session endpoint the browser calls (`POST /api/oflink/session` by default): a Fetch
 * API handler `(Request) => Promise<Response>` for Next.js route handlers, Hono, Workers, Bun and
 * Deno (and Node/Express through {@link toNodeHandler}). It checks the method, origin, content
 * type, size and shape of the request, asks `getClientReferenceId` who the user is, checks
 * ownership of a reconnect, then creates the session with the apiKey. 200 answers
 * `{ mode: 'hosted', url, expiresAt }` with `Cache-Control: no-store`; every error is
 * `{ error: { code, message } }` (codes in the package README). Options are validated here: a
 * missing apiKey or `getClientReferenceId` throws at once.
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
  if (options === null || typeof options !== 'object') {
    throw new OflinkServerError('invalid_options', 500, 'createLinkHandler: pass an options object.');
  }
  if (typeof options.getClientReferenceId !== 'function') {
    throw new OflinkServerError(
      'invalid_options',
      500,
      'createLinkHandler needs getClientReferenceId(request): return your signed-in user id, or null when nobody is signed in.',
    );
  }
  if (options.ownsConnection !== undefined && typeof options.ownsConnection !== 'function') {
    throw new OflinkServerError(
      'invalid_options',
      500,
      'createLinkHandler: ownsConnection must be a function.',
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new OflinkServerError('invalid_options', 500, 'createLinkHandler: onError must be a function.');
  }
  const session: ResolvedSessionOptions = resolveSessionOptions(options, 'createLinkHandler');
  const allowed = normalizeOrigins(options.allowedOrigins);
  const { getClientReferenceId, ownsConnection, onError } = options;
  const secrets = [session.upstream.apiKey];

  const report = (error: OflinkServerError) => {
    if (!onError) return;
    try {
      const result = onError(error);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, () => undefined);
      }
    } catch {
      // A failing logger must not change the answer.
    }
  };
  const internal = (what: string, cause?: unknown) =>
    new OflinkServerError(
      'internal_error',
      500,
      what,
      cause === undefined ? {} : { cause: sanitizeCause(cause, secrets) },
    );

  // The logic, answering with a PlainAnswer; `preread` is the body when toNodeHandler read it already.
  async function answer(request: Request, preread: Uint8Array | null): Promise<PlainAnswer> {
    let cors: Record<string, string> = {};
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): PlainAnswer => ({
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...cors,
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const fail = (
      code: OflinkServerErrorCode,
      status: number,
      message?: string,
      headers?: Record<string, string>,
    ) =>
      reply(
        status,
        { error: { code, message: message ?? PUBLIC_MESSAGES[code] } } satisfies LinkHandlerErrorBody,
        headers,
      );
    const failWith = (error: OflinkServerError) => {
      // A browser that went away is not a server failure: nothing to log.
      if ((error.status >= 500 || error.code === 'rate_limited') && !request.signal?.aborted) report(error);
      if (error.code === 'rate_limited') {
        const seconds = error.retryAfter ?? 1;
        return fail('rate_limited', 429, `Too many session requests. Try again in ${seconds} s.`, {
          'retry-after': String(seconds),
        });
      }
      return fail(error.code, error.status);
    };

    try {
      const origin = request.headers.get('origin');
      const fetchSite = request.headers.get('sec-fetch-site');
      const own = new URL(request.url).origin;
      const listed = origin !== null && allowed.has(origin);
      if (listed && origin !== own) {
        cors = {
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
        };
      }

      if (request.method === 'OPTIONS' && listed && origin !== own) {
        return {
          status: 204,
          headers: {
            ...cors,
            'access-control-allow-methods': 'POST',
            'access-control-allow-headers': 'content-type',
            'access-control-max-age': '600',
          },
          body: null,
        };
      }
      if (request.method !== 'POST') {
        request.body?.cancel().catch(() => undefined);
        return fail('method_not_allowed', 405, undefined, { allow: 'POST' });
      }
      if ((fetchSite === 'cross-site' && !listed) || (origin !== null && origin !== own && !listed)) {
        request.body?.cancel().catch(() => undefined);
        return fail('forbidden_origin', 403);
      }
      if (!isJsonContentType(request.headers.get('content-type'))) {
        request.body?.cancel().catch(() => undefined);
        return fail('unsupported_media_type', 415);
      }
      if (request.bodyUsed) {
        return failWith(
          internal(
            'The request body was already read before createLinkHandler; mount the handler before body parsers.',
          ),
        );
      }
      const read = await readBody(request, preread);
      if (!read.ok) {
        return read.code === 'body_too_large'
          ? fail('body_too_large', 413)
          : fail('invalid_request', 400, 'The body could not be read.');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes));
      } catch {
        return fail('invalid_request', 400, 'The body is not valid JSON.');
      }
      const body = checkSessionBody(parsed);
      if (!body.ok) return fail('invalid_request', 400, body.message);

      let ref: unknown;
      try {
        ref = await getClientReferenceId(request);
      } catch (error) {
        return failWith(internal('getClientReferenceId threw.', error));
      }
      if (ref === null || ref === undefined || ref === '') return fail('unauthenticated', 401);
      const checked = checkClientReferenceId(ref);
      if (!checked.ok) {
        return failWith(
          internal(
            `getClientReferenceId must return a string or null (${typeof ref === 'string' ? checked.message : `got ${typeof ref}`}).`,
          ),
        );
      }
      const clientReferenceId = checked.value;

      const { connectionId, geolocation } = body.value;
      if (connectionId !== undefined) {
        if (!ownsConnection) return fail('reconnect_not_allowed', 403);
        let owned: unknown;
        try {
          owned = await ownsConnection(clientReferenceId, connectionId);
        } catch (error) {
          return failWith(internal('ownsConnection threw.', error));
        }
        if (owned !== true) return fail('connection_not_owned', 403);
      }

      const result = await requestLinkSession(session, {
        clientReferenceId,
        ...(connectionId === undefined ? {} : { connectionId }),
        ...(geolocation === undefined ? {} : { geolocation }),
        signal: request.signal,
      });
      return reply(200, result);
    } catch (error) {
      if (error instanceof OflinkServerError) return failWith(error);
      return failWith(internal('Unexpected error in the session handler.', error));
    }
  }

  return withAnswerFunction(async function linkHandler(request: Request): Promise<Response> {
    return toResponse(await answer(request, null));
  }, answer);
}
