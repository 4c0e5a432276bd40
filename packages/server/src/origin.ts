// The own-origin rule of the browser-facing endpoints (session, confirm, connections). It protects
// against cross-site request forgery without knowing the app's public address: where the app runs
// behind `next start`, a reverse proxy or Vite's dev proxy, `request.url` names an internal host, so
// the rule trusts what the browser itself guarantees instead. SECURITY.md §1 lists the cases.
import { invalidOptions } from './errors';

/** The verdict on one request: allowed (with CORS headers for a listed origin), or refused and why. */
export type OriginVerdict =
  | { ok: true; cors: Record<string, string> }
  | { ok: false; seen: string; why: string };

/** How an endpoint decides which origins are its own. */
export interface OriginPolicy {
  /** Exact origins allowed besides the app's own, answered with CORS headers. */
  allowed: ReadonlySet<string>;
  /** Also count `X-Forwarded-Host`/`X-Forwarded-Proto` as the app's own address (behind a trusted proxy only). */
  trustForwardedHeaders: boolean;
}

/** Checks and normalises `allowedOrigins`: exact http(s) origins, no wildcards, no paths. */
export function originPolicy(list: unknown, trustForwardedHeaders: unknown, caller: string): OriginPolicy {
  const invalid = (message: string) => invalidOptions(`${caller}: ${message}`);
  if (trustForwardedHeaders !== undefined && typeof trustForwardedHeaders !== 'boolean')
    throw invalid('trustForwardedHeaders must be a boolean.');
  if (list !== undefined && !Array.isArray(list))
    throw invalid('allowedOrigins must be an array of origins.');
  const allowed = new Set<string>();
  for (const entry of (list as unknown[] | undefined) ?? []) {
    const origin = exactOrigin(entry);
    if (!origin)
      throw invalid(
        `allowedOrigins entries must be exact origins like "https://app.example.com" (got ${JSON.stringify(String(entry)).slice(0, 80)}).`,
      );
    allowed.add(origin);
  }
  return { allowed, trustForwardedHeaders: trustForwardedHeaders === true };
}

function exactOrigin(entry: unknown): string | null {
  if (typeof entry !== 'string') return null;
  try {
    const u = new URL(entry);
    const http = u.protocol === 'https:' || u.protocol === 'http:';
    return http && !u.host.includes('*') && u.origin === entry.replace(/\/$/, '') ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origins this request may come from when the browser sent no Fetch Metadata: the origin of
 * `request.url`, the `Host` the client sent (over http or https: behind a proxy the scheme is not
 * known here), and when trusted the proxy's `X-Forwarded-Host`/`-Proto`.
 */
function ownOrigins(request: Request, policy: OriginPolicy): string[] {
  const out: string[] = [];
  try {
    out.push(new URL(request.url).origin);
  } catch {
    // a relative or odd URL names no origin
  }
  const host = request.headers.get('host');
  if (host) out.push(`http://${host}`, `https://${host}`);
  const forwarded = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (policy.trustForwardedHeaders && forwarded) {
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || 'https';
    out.push(`${proto}://${forwarded}`);
  }
  // request.url and Host usually name the same origin: each is listed once in a refusal
  return [...new Set(out.map((o) => o.toLowerCase()))];
}

/**
 * Applies the rule: a listed origin passes (with CORS headers); else `Sec-Fetch-Site: same-origin`
 * passes (the browser compared the page and the endpoint itself); `cross-site`, `same-site` and
 * `none` (and any other value) are refused; without Fetch Metadata (older browsers), an `Origin`
 * equal to the address the request was sent to passes (`Host`, or `request.url`); no `Origin` at
 * all is a client that is not a browser (browsers send it with every POST) and passes.
 */
export function checkOrigin(request: Request, policy: OriginPolicy): OriginVerdict {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if (origin !== null && policy.allowed.has(origin)) {
    const cors: Record<string, string> =
      site === 'same-origin'
        ? {}
        : {
            'access-control-allow-origin': origin,
            'access-control-allow-credentials': 'true',
            vary: 'Origin',
          };
    return { ok: true, cors };
  }
  const seen = origin ?? '(no Origin header)';
  if (site === 'same-origin') return { ok: true, cors: {} };
  if (site !== null)
    return { ok: false, seen, why: `the browser marked the request ${site} (Sec-Fetch-Site: ${site})` };
  if (origin === null) return { ok: true, cors: {} };
  const own = ownOrigins(request, policy);
  if (own.includes(origin)) return { ok: true, cors: {} };
  return {
    ok: false,
    seen,
    why: `it is not the origin the request was sent to (${own.join(', ') || 'unknown'})`,
  };
}

/** The sentence for a refusal: the origin seen and the option that would allow it. */
export function refusalMessage(verdict: { seen: string; why: string }, caller: string): string {
  return (
    `${caller} refused a request from origin ${verdict.seen}: ${verdict.why}. ` +
    `If that origin is your own site, add it to allowedOrigins; behind a proxy that rewrites Host, ` +
    `set trustForwardedHeaders: true.`
  );
}
