import { CALLBACK_PARAMS, ERROR_CODE, isClientReferenceId, isConnectionId } from '@oflink/protocol';
import { userExit } from './outcome';
import type { LinkOutcome } from './types';

export { CALLBACK_PARAMS };

type V5 = [string | null, string | null, string | null, string | null, string | null];

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
  const [status, id, ref, step, code] = CALLBACK_PARAMS.map((p) => q.get(p)) as (string | null)[] as V5;
  let out: LinkOutcome | null = null;
  if (ref === null || isClientReferenceId(ref)) {
    if (status === 'success' && isConnectionId(id)) {
      out = { status, connectionId: id, confirmed: false };
      if (ref) out.clientReferenceId = ref;
    } else if (status === 'cancelled') {
      // an unknown step is dropped, not the cancellation: the person did leave
      out = userExit(step);
    } else if (status === 'error' && code && ERROR_CODE.test(code)) {
      out = { status, code, message: `Link failed: ${code}` };
    }
  }
  return out ?? { status: 'error', code: 'invalid_callback', message: 'Invalid callback URL.' };
}

/**
 * Returns `target` as a same-origin path (`/…`), or null: never an open redirect.
 *
 * @example
 * safeReturnPath('/settings?tab=1', 'https://app.example'); // '/settings?tab=1'
 * safeReturnPath('//evil.example', 'https://app.example'); // null
 */
export function safeReturnPath(target: unknown, origin: string): string | null {
  if (typeof target !== 'string' || target[0] !== '/') return null;
  try {
    // "//host", "/\\host" and tab/newline tricks all resolve to another origin and are refused here
    const u = new URL(target, origin);
    const path = u.pathname + u.search + u.hash;
    // "/a/..//host" normalises to "//host", which a browser would read as another host
    return u.origin === origin && !path.startsWith('//') ? path : null;
  } catch {
    return null;
  }
}
