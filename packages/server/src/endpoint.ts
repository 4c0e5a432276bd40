// What the browser-facing endpoints (session, confirm, connections) share: the checks that need no
// body (origin, method, content type, declared length) before the body is read; the one reader of a
// request body; who the signed-in user is; and every call into the app's connection store, with a
// deadline. An endpoint's own logic throws an OflinkServerError to refuse; `errorResponse` answers it.
import { checkClientReferenceId } from '@oflink/protocol';
import { readBounded } from './boundedRead';
import { isDevelopment, isTimeout } from './config';
import {
  errorResponse,
  internalError,
  invalidOptions,
  jsonResponse,
  OflinkServerError,
  refusal,
  sanitizeCause,
} from './errors';
import { checkOrigin, type OriginPolicy, originPolicy, refusalMessage } from './origin';

/**
 * Options shared by the endpoints the browser calls (`createLinkHandler`, `createConfirmHandler`,
 * `createConnectionsHandler`, and so `createOflinkHandler`).
 * @example
 * const shared: BrowserEndpointOptions = { getClientReferenceId: (request) => userIdFromCookie(request) };
 */
export interface BrowserEndpointOptions {
  /**
   * Returns your own id of the signed-in user from the request (cookie, session, JWT…), or `null`
   * when nobody is signed in (→ 401 `unauthenticated`). The only source of `clientReferenceId`.
   * The request body has already been read: use headers and cookies. Required.
   */
  getClientReferenceId: (request: Request) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Origins allowed besides the app's own (exact origins such as `https://app.example.com`, no
   * wildcards), answered with CORS headers (credentials included). The app's own origin needs no
   * entry, also behind `next start`, a reverse proxy or a dev proxy: the browser's
   * `Sec-Fetch-Site: same-origin` (or, from older browsers, an `Origin` whose host is the `Host`
   * they sent) is what proves it.
   * @defaultValue [] (only the app's own origin)
   */
  allowedOrigins?: string[] | undefined;
  /**
   * How long a client may take to send the request body, in ms; past it the answer is 408
   * `request_timeout`. The body is read only after the checks that need none (method, origin,
   * content type, declared length) passed.
   * @defaultValue 10000
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * Also accept an `Origin` whose host is the first `X-Forwarded-Host`, for browsers that send no
   * Fetch Metadata. Only behind a proxy you run, which sets that header itself.
   * @defaultValue false
   */
  trustForwardedHeaders?: boolean | undefined;
  /**
   * Told about every server-side or upstream failure (status ≥ 500, and `rate_limited`) and every
   * refused origin, for logging. It never receives the apiKey or a session URL; if it throws, the
   * error is ignored. Without it, the same errors are printed with `console.error`.
   * @defaultValue undefined (console.error)
   */
  onError?: ((error: OflinkServerError) => void | Promise<void>) | undefined;
}

/** How long a client may take to send the body, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** One endpoint's fixed parts. */
export interface EndpointConfig {
  /** The factory's name, for log lines and development answers. */
  caller: string;
  policy: OriginPolicy;
  /** The methods answered; only a POST has a body, read as JSON. */
  methods: readonly ('POST' | 'GET' | 'DELETE')[];
  maxBodyBytes: number;
  /** The body-read deadline, in ms. */
  bodyTimeoutMs: number;
  onError: ((error: OflinkServerError) => unknown) | undefined;
  /** Values that must never appear in a log line (the apiKey once known). */
  secrets: () => string[];
}

/** What an endpoint's own logic gets: the request, and its parsed JSON body. */
export interface EndpointCall {
  request: Request;
  /** The parsed JSON body of a POST; undefined for the other methods. */
  body: unknown;
  /** The error for a callback of the app that threw or answered a wrong type (500 `internal_error`). */
  internal(what: string, cause?: unknown): OflinkServerError;
}

/**
 * The fixed parts of an endpoint from the options the browser-facing handlers share (checked:
 * a wrong value throws `invalid_options`).
 */
export function endpointConfig(
  options: BrowserEndpointOptions,
  caller: string,
  maxBodyBytes: number,
  secrets: () => string[],
  methods: EndpointConfig['methods'] = ['POST'],
): EndpointConfig {
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  if (!isTimeout(bodyTimeoutMs))
    throw invalidOptions(`${caller}: bodyTimeoutMs must be a positive number of milliseconds.`);
  return {
    caller,
    policy: originPolicy(options.allowedOrigins, options.trustForwardedHeaders, caller),
    methods,
    maxBodyBytes,
    bodyTimeoutMs,
    onError: options.onError,
    secrets,
  };
}

/**
 * Builds one endpoint around `handle`, which runs only for one of the endpoint's methods from an
 * allowed origin (a POST also with a JSON body within the size limit) and resolves to the body of
 * the 200 answer. Whatever it throws, and every refusal before it, is answered by `errorResponse`
 * with the CORS headers the request's origin earned.
 */
export function jsonEndpoint(
  config: EndpointConfig,
  handle: (call: EndpointCall) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  const { caller, methods } = config;
  const allow = methods.join(', ');
  const internal = (what: string, cause?: unknown) => internalError(what, cause, config.secrets());
  return async (request) => {
    // reads headers only, never throws: the CORS headers it earns go on every answer
    const verdict = checkOrigin(request, config.policy);
    const cors = verdict.ok ? verdict.cors : {};
    try {
      if (request.method === 'OPTIONS' && verdict.ok && Object.keys(cors).length > 0) {
        const headers = {
          ...cors,
          'access-control-allow-methods': allow,
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '600',
        };
        return new Response(null, { status: 204, headers });
      }
      if (!(methods as readonly string[]).includes(request.method))
        throw refusal('method_not_allowed', 405, `got ${request.method}; use ${allow}`, { allow });
      if (!verdict.ok) throw refusal('forbidden_origin', 403, refusalMessage(verdict, caller));
      const body = request.method === 'POST' ? await readJson(request, config, internal) : undefined;
      return jsonResponse(200, await handle({ request, body, internal }), cors);
    } catch (error) {
      return errorResponse(error, {
        caller,
        request,
        cors,
        development: isDevelopment(),
        secrets: config.secrets(),
        report: { onError: config.onError },
      });
    }
  };
}

function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const [type, ...params] = value.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  return params.every((p) => {
    const [k, v] = p.split('=');
    return k?.trim().toLowerCase() !== 'charset' || v?.trim().replace(/"/g, '').toLowerCase() === 'utf-8';
  });
}

/** The POST body parsed as JSON; throws the refusal: wrong type, too large, too slow, unreadable or not JSON. */
async function readJson(
  request: Request,
  config: EndpointConfig,
  internal: EndpointCall['internal'],
): Promise<unknown> {
  const { maxBodyBytes: max, bodyTimeoutMs, caller } = config;
  const type = request.headers.get('content-type');
  if (!isJsonContentType(type))
    throw refusal('unsupported_media_type', 415, `got ${type ?? 'no Content-Type'}`);
  if (declaredTooLarge(request, max)) throw refusal('body_too_large', 413, `at most ${max} bytes`);
  if (request.bodyUsed)
    throw internal(
      `The request body was already read before ${caller}; mount the handler before body parsers.`,
    );
  const bytes = await readRequestBody(request, max, bodyTimeoutMs);
  if (bytes === 'too_large') throw refusal('body_too_large', 413, `at most ${max} bytes`);
  if (bytes === 'timeout')
    throw refusal('request_timeout', 408, `the body did not arrive within ${bodyTimeoutMs} ms`);
  if (bytes === 'unreadable') throw refusal('invalid_request', 400, 'The body could not be read.');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw refusal('invalid_request', 400, 'The body is not valid JSON.');
  }
}

/**
 * Reads `request.body`, for every endpoint of the package (the webhook's too): bounded in size,
 * with one deadline, stopped when the client goes away (`request.signal`). Answers the bytes, or
 * why there are none: `too_large` past `max` (a declared `Content-Length` is answered before
 * anything is read), `timeout` past `timeoutMs`, `unreadable` when the stream failed or the client
 * left. A request body is never cancelled, whatever the answer: it belongs to the host's adapter,
 * and React Router's Node listener (among others) exits the process when it writes into a stream
 * that was cancelled. Reading stops by releasing it.
 */
export async function readRequestBody(
  request: Request,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | 'too_large' | 'timeout' | 'unreadable'> {
  if (declaredTooLarge(request, max)) return 'too_large';
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let late = false;
  // a plain timer, not a signal: it only has to stop this one read
  const timer = setTimeout(() => {
    late = true;
    reader.releaseLock();
  }, timeoutMs);
  try {
    const bytes = await readBounded(reader, max, 'release', request.signal);
    return late ? 'timeout' : bytes;
  } catch {
    return late ? 'timeout' : 'unreadable';
  } finally {
    clearTimeout(timer);
  }
}

/** True when `Content-Length` announces more than `max` bytes (answered before reading anything). */
function declaredTooLarge(request: Request, max: number): boolean {
  const declared = request.headers.get('content-length');
  return declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > max;
}

/**
 * The signed-in user's id; throws 401 `unauthenticated` for nobody, and `internal_error` for a
 * throwing callback or one that answers something else than a string or null.
 */
export async function signedInUser(
  request: Request,
  getClientReferenceId: BrowserEndpointOptions['getClientReferenceId'],
  internal: EndpointCall['internal'],
): Promise<string> {
  let ref: unknown;
  try {
    ref = await getClientReferenceId(request);
  } catch (error) {
    throw internal('getClientReferenceId threw.', error);
  }
  if (ref === null || ref === undefined || ref === '')
    throw refusal('unauthenticated', 401, 'getClientReferenceId returned no user');
  const checked = checkClientReferenceId(ref);
  if (!checked.ok)
    throw internal(
      `getClientReferenceId must return a string or null (${typeof ref === 'string' ? checked.message : `got ${typeof ref}`}).`,
    );
  return checked.value;
}

// ------------------------------------------------------------------ the connection store

/** `work()`, or a rejection once `timeoutMs` passed without its answer (the work itself goes on). */
export async function withDeadline<T>(work: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The store did not ${what} within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` against the app's store with a deadline, so that a stalled or failing store is one
 * answer: a throw, a rejection or the deadline becomes 503 `store_unavailable`, the cause kept.
 */
export async function fromStore<T>(
  what: string,
  work: () => Promise<T>,
  timeoutMs: number,
  secrets: string[] = [],
): Promise<T> {
  try {
    return await withDeadline(work, timeoutMs, what);
  } catch (error) {
    throw new OflinkServerError('store_unavailable', 503, `The connection store failed to ${what}.`, {
      cause: sanitizeCause(error, secrets),
    });
  }
}

/** Whether a store refused its input as data that can never be stored (`code: 'invalid_data'`). */
export function isInvalidData(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'invalid_data';
}
