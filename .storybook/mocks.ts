import { bypass, delay, HttpResponse, http } from 'msw';
import { STORY_USER } from './constants';

/** The session endpoint `ConnectButton` calls by default (ARCHITECTURE.md §1). */
export const SESSION_ENDPOINT = '/api/oflink/session';

/**
 * Status and message of each error code of `@oflink/server` (the server README's error table). `retryAfter`
 * marks the one answer that carries a `Retry-After` header, `allow` the one with `Allow`.
 */
export const SERVER_ERRORS = {
  method_not_allowed: { status: 405, message: 'Use POST.', allow: 'POST' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  body_too_large: { status: 413, message: 'The request body is larger than 4 KB.' },
  invalid_request: { status: 400, message: 'The request body has an unknown key or a malformed value.' },
  forbidden_origin: { status: 403, message: 'This origin is not allowed to request Link sessions.' },
  unauthenticated: { status: 401, message: 'Sign in before connecting an account.' },
  connection_not_owned: { status: 403, message: 'This connection belongs to another user.' },
  server_misconfigured: { status: 500, message: 'The server is not configured to talk to OFAuth.' },
  upstream_rejected: { status: 502, message: 'OFAuth rejected the session request.' },
  limit_reached: { status: 503, message: 'The connection limit of this app is reached.' },
  rate_limited: { status: 429, message: 'Too many session requests. Try again shortly.', retryAfter: '30' },
  upstream_unavailable: { status: 502, message: 'OFAuth is unreachable right now. Try again shortly.' },
  upstream_timeout: { status: 504, message: 'OFAuth took too long to answer. Try again.' },
  unsupported_mode: { status: 500, message: 'OFAuth returned a session this app cannot open.' },
  connection_not_found: { status: 404, message: 'That connection was not found.' },
  store_unavailable: {
    status: 503,
    message: 'The connection records are unavailable right now. Try again shortly.',
  },
} as const satisfies Record<string, { status: number; message: string; retryAfter?: string; allow?: string }>;

/** A server error code of {@link SERVER_ERRORS}. */
export type ServerErrorCode = keyof typeof SERVER_ERRORS;

/** Every request body the mocked endpoint received during the story (newest last). */
export type RequestLog = Record<string, unknown>[];

/**
 * The endpoint answering `{ error: { code, message } }` with the status of `code`, as
 * `@oflink/server` does.
 *
 * @example
 * parameters: { msw: { handlers: [serverError('rate_limited')] } }
 */
export function serverError(code: ServerErrorCode, log?: RequestLog) {
  return http.post(SESSION_ENDPOINT, async ({ request }) => {
    log?.push(await readBody(request));
    const e: { status: number; message: string; retryAfter?: string; allow?: string } = SERVER_ERRORS[code];
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (e.retryAfter) headers['retry-after'] = e.retryAfter;
    if (e.allow) headers.allow = e.allow;
    return HttpResponse.json({ error: { code, message: e.message } }, { status: e.status, headers });
  });
}

/**
 * The endpoint failing with a bare 500 and a non-JSON body (a crashed server or proxy page).
 *
 * @example
 * parameters: { msw: { handlers: [crash()] } }
 */
export function crash() {
  return http.post(SESSION_ENDPOINT, () =>
    HttpResponse.text('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain' } }),
  );
}

/**
 * The endpoint never answering: the button stays in its loading state.
 *
 * @example
 * parameters: { msw: { handlers: [pending()] } }
 */
export function pending(log?: RequestLog) {
  return http.post(SESSION_ENDPOINT, async ({ request }) => {
    log?.push(await readBody(request));
    await delay('infinite');
    return HttpResponse.json({}, { status: 500 });
  });
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await request.clone().json();
    return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Options of {@link simulatorSession}. */
export interface SimulatorSessionOptions {
  /** Receives each request body. */
  log?: RequestLog;
  /**
   * Expire the session of the first logged request in the simulator right after creating it (the
   * hosted page then answers `invalid_session`). Needs `log`, which the story clears before each run.
   */
  expireFirst?: boolean;
}

/**
 * The endpoint doing what `@oflink/server` does: it creates a real session with the simulator's
 * `POST /v2/link/init` (through the dev server, which adds the sandbox apiKey) for the story user
 * and answers `{ mode, url, expiresAt }`. The session URL is given on the story's own origin,
 * where the dev server serves the simulator's hosted pages. Without a running simulator (a
 * static build) it answers 502 `upstream_unavailable`, as the real server would.
 *
 * @example
 * parameters: { msw: { handlers: [simulatorSession()] } }
 */
export function simulatorSession(options: SimulatorSessionOptions = {}) {
  return http.post(SESSION_ENDPOINT, async ({ request }) => {
    const body = await readBody(request);
    options.log?.push(body);
    // the callback page the popup lands on (served by the dev server beside the hosted pages)
    const init: Record<string, unknown> = {
      clientReferenceId: STORY_USER,
      redirectUrl: new URL('/__oflink-sim/callback', location.origin).toString(),
    };
    if (typeof body.connectionId === 'string') init.connectionId = body.connectionId;
    if (body.geolocation) init.geolocation = body.geolocation;
    const answer = await simulatorPost('/__oflink-sim/v2/link/init', init).catch(
      () => new Response(null, { status: 404 }),
    );
    const data = (await answer.json().catch(() => null)) as { url?: unknown; expiresAt?: unknown } | null;
    if (!answer.ok || typeof data?.url !== 'string' || typeof data.expiresAt !== 'string')
      return simulatorFailure(answer.status === 404 || !data ? 'upstream_unavailable' : 'upstream_rejected');
    const hosted = new URL(data.url);
    const url = new URL(hosted.pathname + hosted.search, location.origin).toString();
    if (options.expireFirst && options.log?.length === 1)
      await simulatorPost('/__simulator/expire', { id: hosted.pathname.split('/').pop() });
    return HttpResponse.json(
      { mode: 'hosted', url, expiresAt: data.expiresAt },
      { headers: { 'cache-control': 'no-store' } },
    );
  });
}

/** A JSON POST to the simulator through the dev server, past the mock worker. */
function simulatorPost(path: string, body: unknown): Promise<Response> {
  const request = new Request(new URL(path, location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return fetch(bypass(request));
}

/** The answer of the session endpoint when the simulator is missing or refused the session. */
function simulatorFailure(code: 'upstream_unavailable' | 'upstream_rejected') {
  const message =
    code === 'upstream_unavailable'
      ? 'The OFAuth simulator is not running: start `pnpm storybook` (a static build has no simulator).'
      : SERVER_ERRORS[code].message;
  return HttpResponse.json({ error: { code, message } }, { status: SERVER_ERRORS[code].status });
}

/** The connections endpoint `useConnections` calls by default. */
export const CONNECTIONS_ENDPOINT = '/api/oflink/connections';

/** A connection as the connections endpoint lists it, for stories. */
export function storedConnection(id: string, status: string, username: string, minutesAgo = 5) {
  return {
    id,
    status,
    userData: {
      id: `of_${username}`,
      name: username[0]!.toUpperCase() + username.slice(1),
      username,
      avatar: null,
    },
    permissions: ['profile:read'],
    clientReferenceId: STORY_USER,
    createdAt: new Date(Date.now() - 86_400_000).toISOString(),
    updatedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    lastEvent: status === 'expired' ? 'connection.expired' : null,
  };
}

/**
 * The connections endpoint, as `createConnectionsHandler` answers: `GET` lists `list`, `DELETE
 * …/:id` removes one (or answers `failDelete`, or never answers when `holdDelete`).
 *
 * @example
 * parameters: { msw: { handlers: { connections: connectionsEndpoint([storedConnection('conn_1', 'active', 'ada')]) } } }
 */
export function connectionsEndpoint(
  initial: ReturnType<typeof storedConnection>[],
  options: { failList?: ServerErrorCode; failDelete?: ServerErrorCode; holdDelete?: boolean } = {},
) {
  let list = [...initial];
  const fail = (code: ServerErrorCode) =>
    HttpResponse.json(
      { error: { code, message: SERVER_ERRORS[code].message } },
      { status: SERVER_ERRORS[code].status },
    );
  return [
    http.get(CONNECTIONS_ENDPOINT, () =>
      options.failList ? fail(options.failList) : HttpResponse.json({ connections: list }),
    ),
    http.delete(`${CONNECTIONS_ENDPOINT}/:id`, async ({ params }) => {
      if (options.holdDelete) await delay('infinite');
      if (options.failDelete) return fail(options.failDelete);
      list = list.filter((c) => c.id !== params.id);
      return HttpResponse.json({ disconnected: params.id });
    }),
  ];
}
