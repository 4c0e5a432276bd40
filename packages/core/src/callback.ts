import type { LinkOutcome, LinkStep } from './types';

/** The query parameters OFAuth adds to the redirect URL (PROTOCOL.md §2). */
export const CALLBACK_PARAMS = [
  'status',
  'connection_id',
  'client_reference_id',
  'step',
  'error_code',
] as const;

const STEPS: readonly string[] = ['pre-login', 'authorization', 'login', '2fa'];
const ID = /^[\w.:-]{1,200}$/;

function invalid(): LinkOutcome {
  return {
    status: 'error',
    code: 'invalid_callback',
    message: 'The callback URL did not carry a valid Link result.',
  };
}

/**
 * Turns the callback URL's query into a {@link LinkOutcome}. Unknown or missing values give an
 * `error` with code `invalid_callback`. A success is `confirmed: false`: the parameters are
 * unsigned, so confirm `connectionId` on the server before trusting it.
 *
 * @example
 * parseCallback('?status=success&connection_id=conn_1'); // { status: 'success', connectionId: 'conn_1', confirmed: false }
 */
export function parseCallback(search: string | URLSearchParams): LinkOutcome {
  const q = typeof search === 'string' ? new URLSearchParams(search) : search;
  const ref = q.get('client_reference_id');
  if (ref !== null && !ID.test(ref)) return invalid();
  switch (q.get('status')) {
    case 'success': {
      const id = q.get('connection_id');
      if (!id || !ID.test(id)) return invalid();
      const out: LinkOutcome = { status: 'success', connectionId: id, confirmed: false };
      if (ref) out.clientReferenceId = ref;
      return out;
    }
    case 'cancelled': {
      const step = q.get('step');
      if (step === null) return { status: 'cancelled', reason: 'user' };
      return STEPS.includes(step)
        ? { status: 'cancelled', step: step as LinkStep, reason: 'user' }
        : invalid();
    }
    case 'error': {
      const code = q.get('error_code');
      return code && /^[\w.-]{1,64}$/.test(code)
        ? { status: 'error', code, message: `The Link flow failed (${code}).` }
        : invalid();
    }
    default:
      return invalid();
  }
}

/**
 * Returns `target` as a same-origin path (`/…`), or null: never an open redirect.
 *
 * @example
 * safeReturnPath('/settings?tab=1', 'https://app.example'); // '/settings?tab=1'
 * safeReturnPath('//evil.example', 'https://app.example'); // null
 */
export function safeReturnPath(target: unknown, origin: string): string | null {
  if (typeof target !== 'string' || !/^\/(?![/\\])/.test(target) || /[\s\\]/.test(target)) return null;
  try {
    const u = new URL(target, origin);
    return u.origin === origin ? u.pathname + u.search + u.hash : null;
  } catch {
    return null;
  }
}
