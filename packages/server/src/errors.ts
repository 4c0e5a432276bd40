// The one error type of the package and the one way it becomes an answer: handlers throw an
// OflinkServerError (a refusal, an upstream failure, a store failure) and `errorResponse` turns any
// thrown value into the JSON answer `{ error: { code, message } }`, telling `onError` (or the log)
// what the server should know. Also here: what keeps secrets out of everything that leaves.
import { type EndpointErrorCode, PUBLIC_MESSAGES } from '@oflink/protocol';

/**
 * Why a webhook was rejected.
 * @example
 * const isConfigProblem = (code: WebhookVerificationErrorCode) => code === 'invalid_secret';
 */
export type WebhookVerificationErrorCode =
  | 'missing_headers'
  | 'invalid_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_secret'
  | 'invalid_payload';

/**
 * Every code an {@link OflinkServerError} can carry: the codes the browser-facing endpoints answer
 * with (which the browser receives as `LinkError.code`), and the webhook endpoint's own answers to
 * the sender (`handler_failed`, `in_progress`, the verification codes). `invalid_options` is thrown
 * at construction; `internal_error` means a callback of yours threw or returned a wrong type.
 * @example
 * if (error instanceof OflinkServerError && error.code === 'rate_limited') retryIn(error.retryAfter);
 */
export type OflinkServerErrorCode =
  | EndpointErrorCode
  | 'handler_failed'
  | 'in_progress'
  | WebhookVerificationErrorCode;

/**
 * The one error type of `@oflink/server`. `code` is stable (switch on it), `status` is the HTTP
 * status its answer has, `message` is a sentence for your logs (it may carry an upstream detail; it
 * never carries the apiKey or a session URL). `cause`, when present, is a sanitized copy of the
 * underlying error.
 *
 * @example
 * try {
 *   await confirmConnection({}, { connectionId, clientReferenceId: user.id });
 * } catch (error) {
 *   if (error instanceof OflinkServerError && error.code === 'connection_not_owned') return forbidden();
 *   throw error;
 * }
 */
export class OflinkServerError extends Error {
  override readonly name = 'OflinkServerError';
  /** Stable machine-readable code. */
  readonly code: OflinkServerErrorCode;
  /** HTTP status of the answer to this error. */
  readonly status: number;
  /** For `rate_limited`: seconds to wait before trying again. */
  readonly retryAfter?: number;
  /** For upstream failures: the status OFAuth answered, when it answered. */
  readonly upstreamStatus?: number;
  /** For upstream failures: OFAuth's own error code, when its answer carried one (`code`, or `error.code`). */
  readonly upstreamCode?: string;
  /** Headers the answer carries besides the JSON ones (`Allow` of a 405). */
  readonly headers?: Record<string, string>;

  constructor(
    code: OflinkServerErrorCode,
    status: number,
    message: string,
    details: {
      cause?: unknown;
      retryAfter?: number;
      upstreamStatus?: number;
      upstreamCode?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = status;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.upstreamStatus !== undefined) this.upstreamStatus = details.upstreamStatus;
    if (details.upstreamCode !== undefined) this.upstreamCode = details.upstreamCode;
    if (details.headers !== undefined) this.headers = details.headers;
  }
}

/** The error of every configuration mistake (a wrong option), thrown where the value is given. */
export function invalidOptions(message: string): OflinkServerError {
  return new OflinkServerError('invalid_options', 500, message);
}

/** The error that refuses a request; its message says why (what the answer shows depends on the code). */
export function refusal(
  code: OflinkServerErrorCode,
  status: number,
  why: string,
  headers?: Record<string, string>,
): OflinkServerError {
  return new OflinkServerError(code, status, why, headers ? { headers } : {});
}

/** The error for a callback of the app that threw (500 `internal_error`), its cause sanitized. */
export function internalError(what: string, cause: unknown, secrets: readonly string[]): OflinkServerError {
  return new OflinkServerError(
    'internal_error',
    500,
    what,
    cause === undefined ? {} : { cause: sanitizeCause(cause, secrets) },
  );
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON answer that no cache keeps. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Where an answer is given, for what it says and whom it tells. */
export interface AnswerContext {
  /** The factory's name, for log lines and development answers. */
  caller: string;
  /** The request answered, when the answer is a Fetch handler's (the Node adapter's own has none). */
  request?: Request | undefined;
  /** CORS headers the request's origin earned. */
  cors?: Record<string, string>;
  /** Development answers say what refused the request (never a secret). */
  development: boolean;
  /** Values never shown (the apiKey once known). */
  secrets?: readonly string[];
  /**
   * Who is told about failures of the server or of OFAuth: the app's `onError`, else the console
   * (`{ onError: undefined }`). Absent: the caller reports its own failures.
   */
  report?: { onError: ((error: OflinkServerError) => unknown) | undefined };
}

/**
 * The one way the package answers an error: any thrown value becomes `{ error: { code, message } }`
 * with the error's status. A refusal (4xx) shows its code's public sentence (a malformed body shows
 * what is wrong with it) and, in development, what refused it; a failure (5xx) shows only the
 * public sentence and is told to `onError` first, as are `rate_limited` and a refused origin (each
 * misconfiguration and origin once). A code without a public sentence (the webhook endpoint's answers
 * to its sender) shows its own message. Not the client's fault, nothing to say: a request whose
 * client went away is not reported.
 */
export function errorResponse(thrown: unknown, context: AnswerContext): Response {
  const { request, caller, secrets = [] } = context;
  const at = request ? `${request.method} ${pathOf(request)}` : null;
  const error =
    thrown instanceof OflinkServerError
      ? thrown
      : internalError(`Unexpected error in ${caller}.`, thrown, secrets);
  const { code, status } = error;
  const reported = status >= 500 || code === 'rate_limited' || code === 'forbidden_origin';
  if (reported && context.report && !request?.signal?.aborted) {
    const once =
      code === 'server_misconfigured' || code === 'forbidden_origin'
        ? `${caller}:${error.message}`
        : undefined;
    reportTo(context.report.onError, at ? `${caller} (${at})` : caller, error, once);
  }
  const headers = { ...context.cors, ...error.headers };
  const known = (PUBLIC_MESSAGES as Record<string, string>)[code];
  if (code === 'rate_limited') {
    const seconds = error.retryAfter ?? 1;
    return jsonResponse(
      429,
      { error: { code, message: `Too many requests. Try again in ${seconds} s.` } },
      { ...headers, 'retry-after': String(seconds) },
    );
  }
  if (!known) return jsonResponse(status, { error: { code, message: error.message } }, headers);
  if (status >= 500) return jsonResponse(status, { error: { code, message: known } }, headers);
  // a malformed body is the client's own input: always said; other reasons only in development
  const shown = code === 'invalid_request' ? error.message : known;
  const why = shown !== error.message ? `: ${error.message}` : '';
  const more = context.development ? ` (${at ? `${at} ` : ''}refused by ${caller}${why})` : '';
  return jsonResponse(status, { error: { code, message: shown + more } }, headers);
}

/** The request's path, for log lines and development answers. */
export function pathOf(request: Request): string {
  try {
    return new URL(request.url).pathname;
  } catch {
    return request.url;
  }
}

// ------------------------------------------------------------------ logging

const said = new Set<string>();
/** Distinct repeated lines kept in memory at most (an attacker must not grow the set). */
const MAX_REMEMBERED = 200;

/**
 * Prints `error` to the console as one line: `[oflink] <where>: <code> (<status>): <message>`.
 * With `onceKey`, a line with the same key is printed only once per process.
 */
export function logError(where: string, error: OflinkServerError, onceKey?: string): void {
  if (onceKey !== undefined) {
    if (said.has(onceKey)) return;
    if (said.size < MAX_REMEMBERED) said.add(onceKey);
  }
  console.error(`[oflink] ${where}: ${error.code} (${error.status}): ${error.message}`);
}

/** Calls the app's `onError`, or logs when it gave none; a failing `onError` changes nothing. */
export function reportTo(
  onError: ((error: OflinkServerError) => unknown) | undefined,
  where: string,
  error: OflinkServerError,
  onceKey?: string,
): void {
  if (!onError) {
    logError(where, error, onceKey);
    return;
  }
  try {
    const result = onError(error);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // A failing logger must not change the answer.
  }
}

const loggedKinds = new Set<string>();
/**
 * The log line of a webhook failure when the app gave no `onError`: every failing handler, and
 * each kind of rejected message, and of failed reconciling, once.
 */
export function logWebhookError(error: unknown, context: { stage: string; messageId?: string }): void {
  const kind = (error as { code?: unknown } | null)?.code;
  const code = typeof kind === 'string' ? kind : 'error';
  // a wrong secret fails every delivery, a missing apiKey every untimed event: one line each says so
  if (context.stage === 'verify' || context.stage === 'reconcile') {
    if (loggedKinds.has(`${context.stage}:${code}`)) return;
    loggedKinds.add(`${context.stage}:${code}`);
  }
  const what = error instanceof Error ? error.message : String(error);
  const id = context.messageId ? ` ${context.messageId}` : '';
  console.error(`[oflink] createWebhookHandler: ${context.stage} failed${id} (${code}): ${what}`);
}

// ------------------------------------------------------------------ redaction

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>`]+/gi;
const SESSION_TOKEN = /\bcs_[A-Za-z0-9_-]+/g;
const KEY_TOKEN = /\bsk_[A-Za-z0-9_-]+/g;
const MAX_TEXT = 300;

/** Redacts secrets, session ids, keys and every URL's path and query (its origin stays: it helps debugging). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  out = out.replace(URL_PATTERN, (match) => {
    try {
      const u = new URL(match);
      return u.pathname === '/' && !u.search && !u.hash ? u.origin : `${u.origin}/[redacted]`;
    } catch {
      return '[redacted-url]';
    }
  });
  out = out.replace(SESSION_TOKEN, 'cs_[redacted]').replace(KEY_TOKEN, 'sk_[redacted]');
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}

/**
 * A copy of `error` safe to hand to `onError`: same name, redacted message, a string `code` if it had
 * one, the redacted chain of causes (depth-limited) and a redacted stack.
 */
export function sanitizeCause(error: unknown, secrets: readonly string[], depth = 0): Error {
  if (!(error instanceof Error)) {
    let text: string;
    try {
      text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
    } catch {
      text = Object.prototype.toString.call(error);
    }
    return new Error(redact(`Non-Error thrown: ${text}`, secrets));
  }
  const inner =
    error.cause !== undefined && depth < 3 ? sanitizeCause(error.cause, secrets, depth + 1) : undefined;
  const copy = new Error(redact(String(error.message), secrets), inner ? { cause: inner } : undefined);
  copy.name = redact(String(error.name), secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = redact(code, secrets);
  if (typeof error.stack === 'string') {
    const lines = error.stack.split('\n').map((line) => redact(line, secrets));
    copy.stack = lines.join('\n');
  }
  return copy;
}
