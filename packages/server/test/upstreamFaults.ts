// The upstream fault matrix of the session endpoint: every simulator fault, the answer it maps to, and
// how many attempts reach the wire (retries only where the server README documents them).
import type { Fault, Simulator } from '@oflink/simulator';
import type { LinkHandlerOptions } from '../src/session';

/** One fault, and the answer and number of upstream attempts it must end in. */
export interface FaultRow {
  name: string;
  setup: (sim: Simulator) => void;
  options?: Partial<LinkHandlerOptions>;
  status: number;
  code: string | null;
  attempts: number;
  retryAfter?: string;
}

/** A row set-up that injects fault `f`. */
const fault = (f: Fault) => (s: Simulator) => s.injectFault(f);

/** Every simulator fault, mapped as documented. */
export const FAULT_ROWS: FaultRow[] = [
  { name: 'no fault', setup: () => undefined, status: 200, code: null, attempts: 1 },
  {
    name: 'latency beyond timeoutMs',
    setup: fault({ type: 'latency', ms: 1500 }),
    options: { timeoutMs: 300 },
    status: 504,
    code: 'upstream_timeout',
    attempts: 1,
  },
  {
    name: 'slow body beyond timeoutMs',
    setup: fault({ type: 'slow-body', ms: 1500 }),
    options: { timeoutMs: 300 },
    status: 504,
    code: 'upstream_timeout',
    attempts: 1,
  },
  {
    name: 'slow body within timeoutMs',
    setup: fault({ type: 'slow-body', ms: 100 }),
    options: { timeoutMs: 3000 },
    status: 200,
    code: null,
    attempts: 1,
  },
  {
    name: '500 (not retried)',
    setup: fault({ type: 'status', status: 500 }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 1,
  },
  {
    name: '502 once (retried)',
    setup: fault({ type: 'status', status: 502 }),
    status: 200,
    code: null,
    attempts: 2,
  },
  {
    name: '502 twice',
    setup: fault({ type: 'status', status: 502, times: 2 }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 2,
  },
  {
    name: '503 once (retried)',
    setup: fault({ type: 'status', status: 503 }),
    status: 200,
    code: null,
    attempts: 2,
  },
  {
    name: '503 twice',
    setup: fault({ type: 'status', status: 503, times: 2 }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 2,
  },
  {
    name: '504 once (retried)',
    setup: fault({ type: 'status', status: 504 }),
    status: 200,
    code: null,
    attempts: 2,
  },
  {
    name: '502 with retries: 0',
    setup: fault({ type: 'status', status: 502 }),
    options: { retries: 0 },
    status: 502,
    code: 'upstream_unavailable',
    attempts: 1,
  },
  {
    name: '503 three times with retries: 2',
    setup: fault({ type: 'status', status: 503, times: 3 }),
    options: { retries: 2 },
    status: 502,
    code: 'upstream_unavailable',
    attempts: 3,
  },
  {
    name: 'connection reset once (retried)',
    setup: fault({ type: 'reset' }),
    status: 200,
    code: null,
    attempts: 2,
  },
  {
    name: 'connection reset twice',
    setup: fault({ type: 'reset', times: 2 }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 2,
  },
  {
    name: 'malformed JSON (not retried)',
    setup: fault({ type: 'malformed' }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 1,
  },
  {
    name: '429 Retry-After 1 s (waited, retried)',
    setup: fault({ type: 'rate-limit', retryAfter: 1 }),
    status: 200,
    code: null,
    attempts: 2,
  },
  {
    name: '429 Retry-After 1 s twice',
    setup: fault({ type: 'rate-limit', retryAfter: 1, times: 2 }),
    status: 429,
    code: 'rate_limited',
    attempts: 2,
    retryAfter: '1',
  },
  {
    name: '429 Retry-After 30 s (answered at once)',
    setup: fault({ type: 'rate-limit', retryAfter: 30 }),
    status: 429,
    code: 'rate_limited',
    attempts: 1,
    retryAfter: '30',
  },
  {
    name: '429 Retry-After longer than the deadline',
    setup: fault({ type: 'rate-limit', retryAfter: 1 }),
    options: { timeoutMs: 500 },
    status: 429,
    code: 'rate_limited',
    attempts: 1,
    retryAfter: '1',
  },
  {
    name: '401 bad key (not retried)',
    setup: fault({ type: 'status', status: 401 }),
    status: 500,
    code: 'server_misconfigured',
    attempts: 1,
  },
  {
    name: 'unknown apiKey',
    setup: () => undefined,
    options: { apiKey: 'sk_sandbox_wrong' },
    status: 500,
    code: 'server_misconfigured',
    attempts: 1,
  },
  {
    name: '403 for the key',
    setup: fault({ type: 'status', status: 403, body: { error: 'Forbidden' } }),
    status: 500,
    code: 'server_misconfigured',
    attempts: 1,
  },
  {
    name: '403 limit reached',
    setup: (s) => s.configure({ maxOpenSessions: 0 }),
    status: 503,
    code: 'limit_reached',
    attempts: 1,
  },
  {
    name: '400 (not retried)',
    setup: fault({ type: 'status', status: 400 }),
    status: 502,
    code: 'upstream_rejected',
    attempts: 1,
  },
  {
    name: '404 unknown client app',
    setup: () => undefined,
    options: { clientAppId: 'app_missing' },
    status: 502,
    code: 'upstream_rejected',
    attempts: 1,
  },
  {
    name: '400 redirectUrl not allowed',
    setup: () => undefined,
    options: { redirectUrl: 'https://evil.example/cb' },
    status: 502,
    code: 'upstream_rejected',
    attempts: 1,
  },
  {
    name: 'whitelabel session',
    setup: (s) => s.configure({ initResponse: 'whitelabel' }),
    status: 500,
    code: 'unsupported_mode',
    attempts: 1,
  },
  {
    name: 'legacy {url, expiresAt}',
    setup: (s) => s.configure({ initResponse: 'legacy' }),
    status: 200,
    code: null,
    attempts: 1,
  },
  {
    name: '302 redirect (never followed)',
    setup: fault({ type: 'status', status: 302, headers: { location: 'https://evil.example/' } }),
    status: 502,
    code: 'upstream_unavailable',
    attempts: 1,
  },
];
