import { type Simulator, startSimulator } from '@oflink/simulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { createLinkHandler } from './createLinkHandler';

/**
 * Property fuzzing of the session endpoint (issue 9): thousands of generated bad requests, each with at
 * least one defect the issue-4 table names. The handler talks to a real simulator on 127.0.0.1.
 */

const OWN = 'http://localhost:3000';
const PARTNER = 'https://partner.example';
const ENDPOINT = `${OWN}/api/oflink/session`;
const OWNED_CONNECTION = 'conn_owned_by_user_1';
const API_KEY = `sk_sandbox_fuzz_${Math.random().toString(36).slice(2)}`;
const RUNS = 5000;

/** The 4xx rows of the issue-4 table: code → status. */
const TABLE_4XX: Record<string, number> = {
  method_not_allowed: 405,
  unsupported_media_type: 415,
  body_too_large: 413,
  invalid_request: 400,
  forbidden_origin: 403,
  unauthenticated: 401,
  connection_not_owned: 403,
};

type Defect = keyof typeof TABLE_4XX;

interface Part<T> {
  value: T;
  defect?: Defect;
}

// ---------------------------------------------------------------- generators

const method: fc.Arbitrary<Part<string>> = fc
  .oneof(
    { weight: 6, arbitrary: fc.constant({ value: 'POST' }) },
    fc.constant({ value: 'post' }), // normalized to POST by the Fetch Request
    fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'POSTX', 'P0ST'),
    fc.stringMatching(/^[A-Za-z]{1,12}$/),
  )
  .map((m) =>
    typeof m === 'string'
      ? // The Fetch API upper-cases "post" in any case; every other token stays a different method.
        m.toUpperCase() === 'POST'
        ? { value: m }
        : { value: m, defect: 'method_not_allowed' as const }
      : m,
  );

const origin: fc.Arbitrary<Part<string | undefined>> = fc.oneof(
  fc.constantFrom<Part<string | undefined>>({ value: undefined }, { value: OWN }, { value: PARTNER }),
  fc
    .constantFrom(
      'null',
      'http://evil.example',
      'http://localhost:3001',
      'https://localhost:3000',
      `${OWN}/`,
      'HTTP://LOCALHOST:3000',
      'http://localhost:3000.evil.example',
      'https://partner.example.evil',
      'file://',
      '',
    )
    .map((value) => ({ value, defect: 'forbidden_origin' as const })),
  fc
    .webUrl()
    .map((u) => new URL(u).origin)
    .filter((o) => o !== OWN && o !== PARTNER)
    .map((value) => ({ value, defect: 'forbidden_origin' as const })),
);

const fetchSite = fc.constantFrom(
  undefined,
  'same-origin',
  'same-site',
  'none',
  'cross-site',
  'CROSS-SITE',
  'garbage',
);

const contentType: fc.Arbitrary<Part<string | undefined>> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<Part<string | undefined>>(
      { value: 'application/json' },
      { value: 'application/json; charset=utf-8' },
      { value: 'Application/JSON;charset=UTF-8' },
      { value: 'application/json; charset="utf-8"' },
    ),
  },
  fc
    .constantFrom(
      undefined,
      '',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/jsonp',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/xml',
    )
    .map((value) => ({ value, defect: 'unsupported_media_type' as const })),
  fc
    .stringMatching(/^x-[a-z0-9/.+-]{0,30}$/)
    .map((value) => ({ value, defect: 'unsupported_media_type' as const })),
);

/** Any JSON text, from fast-check's own JSON generator (unicode strings included). */
const anyJsonValue = fc.jsonValue({ maxDepth: 3 });
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 40 });
const badKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'clientReferenceId',
    'redirectUrl',
    'clientAppId',
    'apiKey',
    'mode',
    'connectionid',
    'ConnectionId',
    'geolocation ',
    '',
  ),
  unicodeText.filter((k) => k !== 'connectionId' && k !== 'geolocation'),
);

/** connectionId values that must be refused: wrong type, wrong prefix, unicode, too long, control chars. */
const badConnectionId = fc.oneof(
  fc.constantFrom(
    'conn_',
    'conn',
    'CONN_abc',
    ' conn_abc',
    'conn_abc ',
    'conn_a/b',
    'conn_a.b',
    'conn_ab\u0000',
    'conn_é',
    `conn_${'a'.repeat(121)}`,
    '../conn_abc',
    'conn_abc?x=1',
    'conn_abc#',
    '__proto__',
  ),
  unicodeText.filter((s) => !/^conn_[A-Za-z0-9_-]{1,120}$/.test(s)),
  fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object(),
  ),
);

const validCountry = fc.constantFrom('US', 'GB', 'DE', 'FR');
const badGeolocation = fc.oneof(
  fc.record({ state: fc.string(), city: fc.string() }, { requiredKeys: [] }), // no country
  fc.record({ country: fc.oneof(fc.constant(''), fc.constant('   '), fc.integer(), fc.constant(null)) }),
  fc.record({ country: fc.string({ minLength: 65, maxLength: 80 }) }),
  fc.record({ country: fc.constantFrom('U\nS', 'US\u0085', '\u0007') }),
  fc.record({ country: validCountry, extra: anyJsonValue }),
  fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()), fc.constant(null)),
);
/** Written as text: an object literal's `__proto__` would set the prototype instead of making a key. */
const pollutedGeolocation = fc
  .constantFrom('__proto__', 'constructor', 'prototype')
  .map((k) => `{"country":"US",${JSON.stringify(k)}:{"polluted":true}}`);

/** Body text plus the defect it carries by itself (none for a valid shape). */
const body: fc.Arbitrary<Part<string | Uint8Array<ArrayBuffer>>> = fc.oneof(
  // Valid shapes: the request must still fail on another defect.
  fc.constantFrom<Part<string | Uint8Array<ArrayBuffer>>>(
    { value: '{}' },
    { value: '{"geolocation":{"country":"US"}}' },
    { value: '{"geolocation":{"country":"US","state":"CA","city":"San José"}}' },
    { value: `{"connectionId":"${OWNED_CONNECTION}"}` },
    { value: ` \n{ "connectionId" : "${OWNED_CONNECTION}" }\n` },
  ),
  // A reconnect of somebody else's connection.
  fc
    .stringMatching(/^[A-Za-z0-9_-]{1,40}$/)
    .filter((s) => `conn_${s}` !== OWNED_CONNECTION)
    .map((s) => ({
      value: JSON.stringify({ connectionId: `conn_${s}` }),
      defect: 'connection_not_owned' as const,
    })),
  // Not JSON at all.
  fc
    .string({ unit: 'grapheme', maxLength: 200 })
    .filter((s) => !isJson(s))
    .map((value) => ({ value, defect: 'invalid_request' as const })),
  // JSON that is not an object.
  anyJsonValue
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => ({ value: JSON.stringify(v), defect: 'invalid_request' as const })),
  // Objects with a key that is not allowed (prototype keys, server-only keys, unicode).
  fc.tuple(badKey, anyJsonValue, fc.boolean()).map(([k, v, withValid]) => ({
    value: `{${withValid ? `"geolocation":{"country":"US"},` : ''}${JSON.stringify(k)}:${JSON.stringify(v)}}`,
    defect: 'invalid_request' as const,
  })),
  // Bad connectionId or geolocation.
  badConnectionId.map((v) => ({
    value: `{"connectionId":${JSON.stringify(v)}}`,
    defect: 'invalid_request' as const,
  })),
  badGeolocation.map((v) => ({
    value: `{"geolocation":${JSON.stringify(v) ?? 'null'}}`,
    defect: 'invalid_request' as const,
  })),
  pollutedGeolocation.map((g) => ({ value: `{"geolocation":${g}}`, defect: 'invalid_request' as const })),
  // Invalid UTF-8 and a NUL-laden body.
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => {
    const out = new Uint8Array(bytes.length + 2);
    out.set([0x7b, 0xff]);
    out.set(bytes, 2);
    return { value: out, defect: 'invalid_request' as const };
  }),
  fc.constant({ value: '\u0000{}', defect: 'invalid_request' as const }),
  fc.constant({ value: '', defect: 'invalid_request' as const }),
  // Over 4 KB: padding whitespace around a valid body, or a huge value.
  fc
    .integer({ min: 4097, max: 12_000 })
    .map((n) => ({ value: `${' '.repeat(n - 2)}{}`, defect: 'body_too_large' as const })),
  fc
    .integer({ min: 4100, max: 70_000 })
    .map((n) => ({ value: JSON.stringify({ geolocation: { country: 'US', city: 'é'.repeat(n / 2) } }) })),
);

const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,20}$/);
const extraHeaders = fc.dictionary(headerName, fc.string({ unit: 'binary-ascii', maxLength: 60 }), {
  maxKeys: 4,
});

/** One part of the request is always replaced by a defective one, so every request is bad. */
const forced = fc.oneof(
  method.filter((p) => p.defect !== undefined).map((p) => ({ part: 'method' as const, p })),
  origin.filter((p) => p.defect !== undefined).map((p) => ({ part: 'origin' as const, p })),
  fc.constant({ part: 'fetchSite' as const, p: { value: 'cross-site' } }),
  contentType.filter((p) => p.defect !== undefined).map((p) => ({ part: 'contentType' as const, p })),
  body.filter((p) => p.defect !== undefined).map((p) => ({ part: 'body' as const, p })),
  fc.constant({ part: 'user' as const, p: { value: undefined, defect: 'unauthenticated' as const } }),
);

const requestSpec = fc.record({
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

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Build the Request and the defects it carries; `null` when the Fetch API itself refuses the request. */
function build(raw: RequestSpec): { request: Request; defects: Set<Defect> } | null {
  const { part, p } = raw.forced;
  const spec: RequestSpec =
    part === 'fetchSite'
      ? {
          ...raw,
          fetchSite: 'cross-site',
          origin: raw.origin.value === PARTNER ? { value: undefined } : raw.origin,
        }
      : part === 'origin'
        ? // a browser sends a foreign Origin with cross-site Fetch Metadata, or (older ones) none
          {
            ...raw,
            origin: p as Part<string | undefined>,
            fetchSite: raw.fetchSite === 'same-origin' ? undefined : raw.fetchSite,
          }
        : { ...raw, [part]: p };
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
  let request: Request;
  try {
    const upper = spec.method.value.toUpperCase();
    const bodyless = upper === 'GET' || upper === 'HEAD';
    request = new Request(`${ENDPOINT}${spec.path}`, {
      method: spec.method.value,
      headers,
      body: bodyless ? undefined : spec.body.value,
    });
  } catch {
    return null; // e.g. a method token the Fetch API forbids (TRACE, CONNECT)
  }
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
  return { request, defects };
}

// ---------------------------------------------------------------- the run

let sim: Simulator;
let upstreamCalls = 0;
const onErrorSeen: unknown[] = [];
const sessionUrls: string[] = [];

function makeHandler() {
  return createLinkHandler({
    apiKey: API_KEY,
    baseUrl: sim.url,
    allowedOrigins: [PARTNER],
    retries: 0,
    timeoutMs: 5000,
    getClientReferenceId: (request) => request.headers.get('x-test-user'),
    ownsConnection: (ref, id) => ref === 'user_1' && id === OWNED_CONNECTION,
    fetch: (input, init) => {
      upstreamCalls++;
      return fetch(input, init);
    },
    onError: (error) => {
      onErrorSeen.push(error);
    },
  });
}

/** Everything a leak could hide in: message, stack, cause chain and enumerable fields. */
function dump(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || v === undefined || seen.has(v)) return;
    if (typeof v !== 'object' && typeof v !== 'function') {
      parts.push(String(v));
      return;
    }
    seen.add(v);
    if (v instanceof Error) parts.push(v.name, v.message, v.stack ?? '');
    for (const key of Object.getOwnPropertyNames(v)) {
      walk((v as Record<string, unknown>)[key], depth + 1);
    }
    if (v instanceof Error) walk(v.cause, depth + 1);
  };
  walk(value, 0);
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: covered by the walk
  }
  return parts.join('\n');
}

/** What must never be shown: the apiKey and session URLs (and, in public answers, the upstream's address). */
function leaks(text: string, publicAnswer = true): string | null {
  if (text.includes(API_KEY)) return 'apiKey';
  for (const url of sessionUrls) if (text.includes(url)) return `session URL ${url}`;
  for (const url of sessionUrls) if (text.includes(new URL(url).pathname)) return `session path of ${url}`;
  if (publicAnswer && text.includes(new URL(sim.url).host)) return 'upstream address';
  return null;
}

const figures: { area: string; measure: string; value: string | number; goal: string }[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true, apiKeys: [API_KEY] });
  // Real sessions first, so the leak check looks for URLs that exist.
  const handler = makeHandler();
  for (const geo of [undefined, { country: 'US' }]) {
    const res = await handler(
      new Request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: OWN, 'x-test-user': 'user_1' },
        body: JSON.stringify(geo ? { geolocation: geo } : {}),
      }),
    );
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url.startsWith(sim.url)).toBe(true);
    sessionUrls.push(url);
  }
  upstreamCalls = 0;
});

afterAll(async () => {
  await sim?.stop();
  writeFigures('server-fuzz', figures);
});

describe('createLinkHandler under property fuzzing', () => {
  it(`answers ${RUNS} generated bad requests with a 4xx JSON error of the table, naming a defect the request has, without reaching OFAuth or leaking`, async () => {
    const handler = makeHandler();
    let generated = 0;
    const violations: string[] = [];
    const codes = new Map<string, number>();

    const run = fc.assert(
      fc.asyncProperty(requestSpec, async (spec) => {
        const built = build(spec);
        fc.pre(built !== null);
        if (!built) return;
        // Only an allowed cross-origin preflight may answer 2xx; the generator never sends one.
        fc.pre(!(built.request.method === 'OPTIONS' && spec.origin.value === PARTNER));
        expect(built.defects.size).toBeGreaterThan(0);
        generated++;

        let res: Response;
        try {
          res = await handler(built.request);
        } catch (error) {
          violations.push(`threw ${String(error)}`);
          throw error;
        }
        const text = await res.text();
        const problem = (() => {
          if (res.status < 400 || res.status > 499) return `status ${res.status}`;
          if (!res.headers.get('content-type')?.startsWith('application/json')) return 'not JSON';
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return 'body not JSON';
          }
          const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
          if (!error || typeof error.code !== 'string' || typeof error.message !== 'string')
            return 'no {error:{code,message}}';
          if (Object.keys(parsed as object).length !== 1) return 'extra top-level keys';
          if (TABLE_4XX[error.code] !== res.status) return `code ${error.code} with status ${res.status}`;
          if (!built.defects.has(error.code as Defect)) {
            return `code ${error.code} but the request's defects are ${[...built.defects].join(', ')}`;
          }
          if (res.status === 405 && res.headers.get('allow') !== 'POST') return '405 without Allow: POST';
          const leak = leaks(text) ?? leaks([...res.headers].join('\n'));
          if (leak) return `leaked ${leak}`;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          return null;
        })();
        if (problem) {
          violations.push(`${problem} for ${built.request.method} ${JSON.stringify(spec).slice(0, 300)}`);
        }
        expect(problem).toBeNull();
      }),
      // A failure prints its seed; rerun it with OFLINK_FUZZ_SEED=<seed>.
      {
        numRuns: RUNS,
        seed: Number(process.env.OFLINK_FUZZ_SEED ?? Date.now() % 2 ** 31),
        endOnFailure: true,
      },
    );
    // Record the figures even when the property fails, then fail with fast-check's report.
    const failure = await run.then(
      () => null,
      (error: unknown) => error,
    );

    const onErrorLeak = leaks(onErrorSeen.map(dump).join('\n'), false);
    figures.push(
      { area: 'server fuzz', measure: 'bad session requests generated', value: generated, goal: `≥ ${RUNS}` },
      {
        area: 'server fuzz',
        measure: 'violations (non-4xx, wrong code, throw, leak)',
        value: violations.length,
        goal: '0',
      },
      { area: 'server fuzz', measure: 'bad requests that reached OFAuth', value: upstreamCalls, goal: '0' },
    );
    if (failure) throw failure;
    expect(generated).toBeGreaterThanOrEqual(RUNS);
    expect(violations).toEqual([]);
    expect(upstreamCalls).toBe(0);
    expect(onErrorLeak).toBeNull();
    // Every row of the 4xx table was hit, so the generator covers the whole table.
    expect([...codes.keys()].sort()).toEqual(Object.keys(TABLE_4XX).sort());
  }, 120_000);

  it('keeps the apiKey and session URLs out of the answer and out of onError when OFAuth fails and echoes them', async () => {
    const handler = makeHandler();
    const echo = `key ${API_KEY} for ${sessionUrls[0]}`;
    const faults = [
      { type: 'status', status: 401, body: { error: echo } },
      { type: 'status', status: 403, body: { error: echo } },
      { type: 'status', status: 400, body: { error: echo, url: sessionUrls[1] } },
      { type: 'status', status: 404, body: { message: echo } },
      { type: 'status', status: 500, body: { error: echo } },
      { type: 'status', status: 503, body: echo },
      { type: 'rate-limit', retryAfter: 1 },
      { type: 'malformed' },
      { type: 'reset' },
    ] as const;
    const leaked: string[] = [];
    for (const fault of faults) {
      const before = onErrorSeen.length;
      sim.injectFault(fault);
      const res = await handler(
        new Request(ENDPOINT, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: OWN, 'x-test-user': 'user_1' },
          body: '{}',
        }),
      );
      const text = await res.text();
      const label = `${fault.type} ${'status' in fault ? fault.status : ''}`;
      expect(res.status, label).toBeGreaterThanOrEqual(429);
      expect(JSON.parse(text)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      const received = onErrorSeen.slice(before);
      expect(received, `onError for ${label}`).toHaveLength(1);
      const leak = leaks(text) ?? leaks(received.map(dump).join('\n'), false);
      if (leak) leaked.push(`${label}: ${leak}`);
    }
    sim.clearFaults();
    figures.push({
      area: 'server fuzz',
      measure: `upstream failures (${faults.length} faults) whose answer or onError leaked the apiKey or a session URL`,
      value: leaked.length,
      goal: '0',
    });
    expect(leaked).toEqual([]);
  });
});
