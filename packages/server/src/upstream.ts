// Internal: one upstream call to OFAuth with the package's timeout, retry and error-mapping rules.
// Used by createLinkSession and confirmConnection; nothing here is exported from the package.
import { readErrorBody } from '@oflink/protocol';
import { OflinkServerError } from './OflinkServerError';
import { redact, sanitizeCause } from './redact';
import {
  type Answer,
  type Outgoing,
  parseRetryAfter,
  RedirectRefused,
  send,
  sleep,
  USER_AGENT,
} from './upstreamAttempt';
import type { ResolvedUpstream } from './upstreamOptions';

/** Longest `Retry-After` the server waits out itself; a longer one is answered with 429 at once. */
export const MAX_RETRY_AFTER_MS = 2_000;
const BACKOFF_MS = 100;

type Attempt = ({ kind: 'response' } & Answer) | { kind: 'redirect' } | { kind: 'network'; error: unknown };

/** An error answer's text and code, from any published body shape (or the raw text when it is not JSON). */
function upstreamError(text: string): { detail: string; code?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the raw text (redacted by the caller)
  }
  const body = readErrorBody(json);
  const detail = (body.message ?? text).replace(/\s+/g, ' ').trim().slice(0, 200);
  return body.code === undefined ? { detail } : { detail, code: body.code.slice(0, 64) };
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, starting with `/`, query included. */
  path: string;
  body?: unknown;
  /** Aborts the call (e.g. the browser went away); the deadline is separate. */
  signal?: AbortSignal;
}

/** What one upstream call did, for tests and figures: how many attempts it took. */
export interface UpstreamResult {
  json: unknown;
  attempts: number;
}

/**
 * Calls OFAuth and returns the parsed JSON of a 2xx answer, or throws an {@link OflinkServerError}
 * mapped as the README's error table says. Retries only network errors, 502/503/504 and short 429s.
 */
export async function callUpstream(up: ResolvedUpstream, request: UpstreamRequest): Promise<UpstreamResult> {
  const deadline = AbortSignal.timeout(up.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  return attempts(up, request, signal, () => deadline.aborted);
}

async function attempts(
  up: ResolvedUpstream,
  request: UpstreamRequest,
  signal: AbortSignal,
  pastDeadline: () => boolean,
): Promise<UpstreamResult> {
  const secrets = [up.apiKey];
  const startedAt = Date.now();
  const timedOut = (cause?: unknown) =>
    new OflinkServerError(
      'upstream_timeout',
      504,
      `OFAuth did not answer ${request.method} ${request.path.split('?')[0]} within ${up.timeoutMs} ms.`,
      cause === undefined ? {} : { cause: sanitizeCause(cause, secrets) },
    );
  const aborted = () =>
    new OflinkServerError('upstream_unavailable', 502, 'The upstream call was aborted by the caller.', {
      cause: sanitizeCause(request.signal?.reason, secrets),
    });

  // a User-Agent on every call: some API gateways refuse requests without one
  const headers: Record<string, string> = {
    apiKey: up.apiKey,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  // A redirect is never followed: it would carry the apiKey header elsewhere.
  const sent: Outgoing = {
    method: request.method,
    url: `${up.baseUrl}${request.path}`,
    headers,
    signal,
  };
  if (request.body !== undefined) sent.body = JSON.stringify(request.body);

  for (let attempt = 1; ; attempt++) {
    let outcome: Attempt;
    try {
      outcome = { kind: 'response', ...(await send(up.fetch, sent)) };
    } catch (error) {
      if (pastDeadline()) throw timedOut(error);
      if (request.signal?.aborted) throw aborted();
      outcome = error instanceof RedirectRefused ? { kind: 'redirect' } : { kind: 'network', error };
    }

    const remaining = up.timeoutMs - (Date.now() - startedAt);
    let wait: number | null = null;
    if (outcome.kind === 'redirect') {
      // never retried: the same call would be redirected again
    } else if (outcome.kind === 'network' || [502, 503, 504].includes(outcome.status)) {
      wait = BACKOFF_MS * 2 ** (attempt - 1);
    } else if (outcome.status === 429) {
      const seconds = parseRetryAfter(outcome.header('retry-after')) ?? 1;
      wait = seconds * 1000 <= MAX_RETRY_AFTER_MS ? seconds * 1000 : null;
    }
    if (wait !== null && attempt <= up.retries && wait < remaining) {
      try {
        await sleep(wait, signal);
      } catch (error) {
        if (pastDeadline()) throw timedOut(error);
        throw aborted();
      }
      continue;
    }
    return { json: mapOutcome(outcome, secrets), attempts: attempt };
  }
}

/** A redirect from OFAuth (refused by `redirect: 'error'`, or a 3xx seen with `'manual'`): never followed. */
function redirected(what: string, details?: { upstreamStatus: number }) {
  return new OflinkServerError(
    'upstream_unavailable',
    502,
    `OFAuth answered ${what}, which is never followed (it would carry the apiKey elsewhere).`,
    details,
  );
}

function mapOutcome(outcome: Attempt, secrets: string[]): unknown {
  if (outcome.kind === 'network') {
    throw new OflinkServerError('upstream_unavailable', 502, 'OFAuth could not be reached (network error).', {
      cause: sanitizeCause(outcome.error, secrets),
    });
  }
  if (outcome.kind === 'redirect') throw redirected('with a redirect');
  const { status, header, text } = outcome;
  const error = status >= 300 ? upstreamError(text) : undefined;
  const detail = () => redact(error?.detail ?? '', secrets);
  const details: { upstreamStatus: number; upstreamCode?: string } = { upstreamStatus: status };
  if (error?.code !== undefined) details.upstreamCode = redact(error.code, secrets);
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OflinkServerError(
        'upstream_unavailable',
        502,
        `OFAuth answered ${status} with a body that is not JSON.`,
        details,
      );
    }
  }
  if (status === 401) {
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `OFAuth refused the apiKey (401: ${detail()}). Check OFAUTH_API_KEY.`,
      details,
    );
  }
  if (status === 403) {
    const d = detail();
    if (/limit/i.test(d)) {
      throw new OflinkServerError('limit_reached', 503, `OFAuth refused a new session: ${d}.`, details);
    }
    throw new OflinkServerError(
      'server_misconfigured',
      500,
      `OFAuth refused the apiKey for this call (403: ${d}). Check the key's permissions.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfter = parseRetryAfter(header('retry-after')) ?? 1;
    throw new OflinkServerError(
      'rate_limited',
      429,
      `OFAuth rate-limited the call; retry in ${retryAfter} s.`,
      {
        ...details,
        retryAfter,
      },
    );
  }
  if (status >= 400 && status < 500) {
    throw new OflinkServerError(
      'upstream_rejected',
      502,
      `OFAuth rejected the call (${status}: ${detail()}).`,
      details,
    );
  }
  if (status >= 300 && status < 400) throw redirected(`${status}, a redirect`, details);
  throw new OflinkServerError('upstream_unavailable', 502, `OFAuth answered ${status}.`, details);
}
