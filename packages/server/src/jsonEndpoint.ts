// Internal: the plumbing shared by the browser-facing JSON endpoints (the session, confirm and
// connections handlers). Checks that need no body (origin, method, content type, declared length)
// answer before the body is read; a POST body is read once, bounded; every error is
// `{ error: { code, message } }`.
import { errorAnswer, jsonAnswer } from './answer';
import { isDevelopment } from './env';
import { reportTo } from './log';
import { invalidOptions, OflinkServerError, type OflinkServerErrorCode } from './OflinkServerError';
import { checkOrigin, type OriginPolicy, type OriginVerdict, originPolicy, refusalMessage } from './origin';
import { sanitizeCause } from './redact';
import { DEFAULT_BODY_TIMEOUT_MS, declaredTooLarge, readRequestBody } from './requestBody';
import type { BrowserEndpointOptions } from './signedInUser';
import { isTimeout } from './upstreamOptions';

/** The public sentence of each code (a development answer adds what refused the request). */
export const PUBLIC_MESSAGES: Record<OflinkServerErrorCode, string> = {
  method_not_allowed: 'This method is not allowed here.',
  unsupported_media_type: 'Send the body as application/json.',
  body_too_large: 'The body is too large.',
  request_timeout: 'The request body did not arrive in time.',
  invalid_request: 'The request is not valid.',
  forbidden_origin: 'This endpoint only accepts requests from its own site.',
  unauthenticated: 'Sign in before connecting an account.',
  connection_not_owned: 'That connection does not belong to the signed-in user.',
  reconnect_not_allowed: 'Reconnecting an existing connection is not enabled on this server.',
  server_misconfigured:
    'The server is not configured correctly for OFAuth. The details are in the server logs.',
  upstream_rejected: 'OFAuth rejected the request.',
  limit_reached: 'The OFAuth session limit is reached. Try again later.',
  rate_limited: 'Too many requests. Try again shortly.',
  upstream_unavailable: 'OFAuth is unavailable right now. Try again shortly.',
  upstream_timeout: 'OFAuth did not answer in time. Try again.',
  unsupported_mode: 'The OFAuth client app uses a session mode this server does not support.',
  connection_not_found: 'That connection was not found.',
  lookup_limit_reached: 'The connection could not be looked up in time. Try again later.',
  store_unavailable: 'The connection records are unavailable right now. Try again shortly.',
  invalid_options: 'The server is not configured correctly.',
  not_found: 'There is no oflink route here.',
  internal_error: 'Something went wrong on the server.',
};

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

/** What an endpoint's own logic gets: the request, its parsed JSON body, and the answer builders. */
export interface EndpointCall {
  request: Request;
  /** The parsed JSON body of a POST; undefined for the other methods. */
  body: unknown;
  reply(status: number, body: unknown): Response;
  /** A 4xx answer; `detail` is added to the message in development only. */
  refuse(code: OflinkServerErrorCode, status: number, detail?: string): Response;
  /** An {@link OflinkServerError} for a throwing callback of the app (500 `internal_error`). */
  internal(what: string, cause?: unknown): OflinkServerError;
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
  return {
    caller,
    policy: originPolicy(options.allowedOrigins, options.trustForwardedHeaders, caller),
    methods,
    maxBodyBytes,
    bodyTimeoutMs: bodyTimeout(options.bodyTimeoutMs, caller),
    onError: options.onError,
    secrets,
  };
}

/** Checks and defaults the `bodyTimeoutMs` option; a wrong value throws `invalid_options`. */
function bodyTimeout(value: unknown, caller: string): number {
  if (value === undefined) return DEFAULT_BODY_TIMEOUT_MS;
  if (!isTimeout(value))
    throw invalidOptions(`${caller}: bodyTimeoutMs must be a positive number of milliseconds.`);
  return value;
}

/** The answers of one request: the CORS headers its origin earned go on every one of them. */
interface Answers extends Omit<EndpointCall, 'request' | 'body'> {
  refuse(
    code: OflinkServerErrorCode,
    status: number,
    detail?: string,
    headers?: Record<string, string>,
  ): Response;
  /** The answer to a thrown {@link OflinkServerError}, reported first when it is the server's fault. */
  fail(error: OflinkServerError): Response;
}

function answersFor(request: Request, config: EndpointConfig, cors: Record<string, string>): Answers {
  const { caller } = config;
  const refuse: Answers['refuse'] = (code, status, detail, headers) => {
    // a shape problem describes the client's own input: always said; other details only in development
    const shown = code === 'invalid_request' && detail ? detail : PUBLIC_MESSAGES[code];
    const why = detail && shown !== detail ? `: ${detail}` : '';
    const more = isDevelopment() ? ` (${request.method} ${pathOf(request)} refused by ${caller}${why})` : '';
    return errorAnswer(code, status, shown + more, { ...cors, ...headers });
  };
  const fail = (error: OflinkServerError): Response => {
    // A browser that went away is not a server failure: nothing to log.
    if ((error.status >= 500 || error.code === 'rate_limited') && !request.signal?.aborted) {
      const once = error.code === 'server_misconfigured' ? `${caller}:${error.message}` : undefined;
      reportTo(config.onError, `${caller} (${request.method} ${pathOf(request)})`, error, once);
    }
    if (error.code === 'rate_limited') {
      const seconds = error.retryAfter ?? 1;
      return errorAnswer('rate_limited', 429, `Too many requests. Try again in ${seconds} s.`, {
        ...cors,
        'retry-after': String(seconds),
      });
    }
    if (error.status < 500) return refuse(error.code, error.status, error.message);
    return errorAnswer(error.code, error.status, PUBLIC_MESSAGES[error.code], cors);
  };
  const internal = (what: string, cause?: unknown) =>
    new OflinkServerError(
      'internal_error',
      500,
      what,
      cause === undefined ? {} : { cause: sanitizeCause(cause, config.secrets()) },
    );
  return { reply: (status, body) => jsonAnswer(status, body, cors), refuse, fail, internal };
}

/**
 * The answer of the checks that need no body (a CORS preflight, the method, the origin), or null
 * when the request may go on.
 */
function gate(request: Request, config: EndpointConfig, verdict: OriginVerdict, answers: Answers) {
  const allow = config.methods.join(', ');
  if (request.method === 'OPTIONS' && verdict.ok && Object.keys(verdict.cors).length > 0) {
    const headers = {
      ...verdict.cors,
      'access-control-allow-methods': allow,
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    };
    return new Response(null, { status: 204, headers });
  }
  if (!(config.methods as readonly string[]).includes(request.method))
    return answers.refuse('method_not_allowed', 405, `got ${request.method}; use ${allow}`, { allow });
  if (verdict.ok) return null;
  const message = refusalMessage(verdict, config.caller);
  const error = new OflinkServerError('forbidden_origin', 403, message);
  reportTo(config.onError, config.caller, error, `origin:${verdict.seen}`);
  return answers.refuse('forbidden_origin', 403, message);
}

/** The POST body parsed as JSON, or the refusal: wrong type, too large, too slow, unreadable or not JSON. */
async function readJson(request: Request, config: EndpointConfig, answers: Answers): Promise<unknown> {
  const { maxBodyBytes: max, bodyTimeoutMs } = config;
  const type = request.headers.get('content-type');
  if (!isJsonContentType(type))
    return answers.refuse('unsupported_media_type', 415, `got ${type ?? 'no Content-Type'}`);
  if (declaredTooLarge(request, max)) return answers.refuse('body_too_large', 413, `at most ${max} bytes`);
  if (request.bodyUsed)
    throw answers.internal(
      `The request body was already read before ${config.caller}; mount the handler before body parsers.`,
    );
  const bytes = await readRequestBody(request, max, bodyTimeoutMs);
  if (bytes === 'too_large') return answers.refuse('body_too_large', 413, `at most ${max} bytes`);
  if (bytes === 'timeout')
    return answers.refuse('request_timeout', 408, `the body did not arrive within ${bodyTimeoutMs} ms`);
  if (bytes === 'unreadable') return answers.refuse('invalid_request', 400, 'The body could not be read.');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return answers.refuse('invalid_request', 400, 'The body is not valid JSON.');
  }
}

/**
 * Builds one endpoint around `handle`, which runs only for one of the endpoint's methods from an
 * allowed origin (a POST also with a JSON body within the size limit); every refusal is the one
 * JSON error answer.
 */
export function jsonEndpoint(
  config: EndpointConfig,
  handle: (call: EndpointCall) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    // reads headers only, never throws: the CORS headers it earns go on every answer
    const verdict = checkOrigin(request, config.policy);
    const answers = answersFor(request, config, verdict.ok ? verdict.cors : {});
    try {
      const early = gate(request, config, verdict, answers);
      if (early) return early;
      const body = request.method === 'POST' ? await readJson(request, config, answers) : undefined;
      if (body instanceof Response) return body;
      const { reply, refuse, internal } = answers;
      return await handle({ request, body, reply, refuse: (c, s, d) => refuse(c, s, d), internal });
    } catch (error) {
      if (error instanceof OflinkServerError) return answers.fail(error);
      return answers.fail(answers.internal(`Unexpected error in ${config.caller}.`, error));
    }
  };
}

/** The request's path, for log lines and development answers. */
function pathOf(request: Request): string {
  try {
    return new URL(request.url).pathname;
  } catch {
    return request.url;
  }
}
