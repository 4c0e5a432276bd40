// The generated bad requests of the session endpoint's fuzz test: each carries at least one defect of
// the server README's error table, and `build` says which defects the Request it makes has.
import fc from 'fast-check';
import {
  body,
  contentType,
  type Defect,
  ENDPOINT,
  extraHeaders,
  fetchSite,
  forced,
  method,
  OWN,
  origin,
  PARTNER,
  type Part,
} from './fuzzParts';

export const requestSpec = fc.record({
  forced,
  method,
  origin,
  fetchSite,
  contentType,
  body,
  user: fc.oneof(
    { weight: 4, arbitrary: fc.constant<Part<string | undefined>>({ value: 'user_1' }) },
    fc.constant<Part<string | undefined>>({ value: undefined, defect: 'unauthenticated' }),
  ),
  extra: extraHeaders,
  path: fc.constantFrom('', '?x=1', '?connectionId=conn_x&clientReferenceId=admin', '#frag'),
});

type RequestSpec = typeof requestSpec extends fc.Arbitrary<infer T> ? T : never;

/** Build the Request and the defects it carries; `null` when the Fetch API itself refuses the request. */
export function build(raw: RequestSpec): { request: Request; defects: Set<Defect> } | null {
  const spec = withForcedPart(raw);
  const request = toRequest(spec);
  return request && { request, defects: expectedDefects(spec, request) };
}

/** The spec with its forced part applied, as a browser would send it. */
function withForcedPart(raw: RequestSpec): RequestSpec {
  const { part, p } = raw.forced;
  if (part === 'fetchSite') {
    return {
      ...raw,
      fetchSite: 'cross-site',
      origin: raw.origin.value === PARTNER ? { value: undefined } : raw.origin,
    };
  }
  if (part === 'origin') {
    // a browser sends a foreign Origin with cross-site Fetch Metadata, or (older ones) none
    return {
      ...raw,
      origin: p as Part<string | undefined>,
      fetchSite: raw.fetchSite === 'same-origin' ? undefined : raw.fetchSite,
    };
  }
  return { ...raw, [part]: p };
}

/** The Request of a spec, or null when the Fetch API refuses one of its parts. */
function toRequest(spec: RequestSpec): Request | null {
  const headers = new Headers();
  try {
    for (const [k, v] of Object.entries(spec.extra)) headers.set(k, v);
  } catch {
    return null;
  }
  if (spec.origin.value !== undefined) headers.set('origin', spec.origin.value);
  if (spec.fetchSite !== undefined) headers.set('sec-fetch-site', spec.fetchSite);
  if (spec.contentType.value !== undefined) headers.set('content-type', spec.contentType.value);
  if (spec.user.value !== undefined) headers.set('x-test-user', spec.user.value);
  try {
    const upper = spec.method.value.toUpperCase();
    const bodyless = upper === 'GET' || upper === 'HEAD';
    return new Request(`${ENDPOINT}${spec.path}`, {
      method: spec.method.value,
      headers,
      body: bodyless ? undefined : spec.body.value,
    });
  } catch {
    return null; // e.g. a method token the Fetch API forbids (TRACE, CONNECT)
  }
}

/** Every defect the handler must find in this request. */
function expectedDefects(spec: RequestSpec, request: Request): Set<Defect> {
  const defects = new Set<Defect>();
  if (request.method !== 'POST') defects.add('method_not_allowed');
  // the own-origin rule: a listed origin; else Sec-Fetch-Site decides when present (only
  // same-origin passes); else the Origin must be the request's own, or absent (not a browser)
  const listed = spec.origin.value === PARTNER;
  const site = spec.fetchSite;
  const foreign = spec.origin.value !== undefined && spec.origin.value !== OWN;
  if (!listed && (site !== undefined ? site !== 'same-origin' : foreign)) defects.add('forbidden_origin');
  // A string body without a content type becomes text/plain;charset=UTF-8.
  if (spec.contentType.defect || request.headers.get('content-type') === null) {
    defects.add('unsupported_media_type');
  }
  const size =
    typeof spec.body.value === 'string'
      ? new TextEncoder().encode(spec.body.value).length
      : spec.body.value.length;
  if (size > 4096) defects.add('body_too_large');
  else if (spec.body.defect && spec.body.defect !== 'body_too_large') defects.add(spec.body.defect);
  if (spec.user.defect) defects.add(spec.user.defect);
  return defects;
}
