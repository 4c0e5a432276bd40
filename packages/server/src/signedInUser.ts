// Internal: who is asking, for the browser-facing endpoints, and the options they share.
import type { OflinkServerError } from './OflinkServerError';
import { checkClientReferenceId } from './sessionParams';

/**
 * Options shared by the endpoints the browser calls (`createLinkHandler`, `createConfirmHandler`).
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

/** The signed-in user's id, or null for nobody; a throwing or wrong callback is an `internal_error`. */
export async function signedInUser(
  request: Request,
  getClientReferenceId: BrowserEndpointOptions['getClientReferenceId'],
  internal: (what: string, cause?: unknown) => OflinkServerError,
): Promise<string | null> {
  let ref: unknown;
  try {
    ref = await getClientReferenceId(request);
  } catch (error) {
    throw internal('getClientReferenceId threw.', error);
  }
  if (ref === null || ref === undefined || ref === '') return null;
  const checked = checkClientReferenceId(ref);
  if (!checked.ok)
    throw internal(
      `getClientReferenceId must return a string or null (${typeof ref === 'string' ? checked.message : `got ${typeof ref}`}).`,
    );
  return checked.value;
}
