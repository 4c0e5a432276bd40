// The parts of a generated session request (method, origin, Fetch Metadata, content type, body, extra
// headers), each a valid value or one with a defect of the server README's error table.
import fc from 'fast-check';

export const OWN = 'http://localhost:3000';
export const PARTNER = 'https://partner.example';
export const ENDPOINT = `${OWN}/api/oflink/session`;
export const OWNED_CONNECTION = 'conn_owned_by_user_1';

/** The 4xx answers of the session endpoint (the server README's error table): code → status. */
export const TABLE_4XX: Record<string, number> = {
  method_not_allowed: 405,
  unsupported_media_type: 415,
  body_too_large: 413,
  invalid_request: 400,
  forbidden_origin: 403,
  unauthenticated: 401,
  connection_not_owned: 403,
};

export type Defect = keyof typeof TABLE_4XX;

export interface Part<T> {
  value: T;
  defect?: Defect;
}

// ---------------------------------------------------------------- generators

export const method: fc.Arbitrary<Part<string>> = fc
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

export const origin: fc.Arbitrary<Part<string | undefined>> = fc.oneof(
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

export const fetchSite = fc.constantFrom(
  undefined,
  'same-origin',
  'same-site',
  'none',
  'cross-site',
  'CROSS-SITE',
  'garbage',
);

export const contentType: fc.Arbitrary<Part<string | undefined>> = fc.oneof(
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
export const body: fc.Arbitrary<Part<string | Uint8Array<ArrayBuffer>>> = fc.oneof(
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
export const extraHeaders = fc.dictionary(headerName, fc.string({ unit: 'binary-ascii', maxLength: 60 }), {
  maxKeys: 4,
});

/** One part of the request is always replaced by a defective one, so every request is bad. */
export const forced = fc.oneof(
  method.filter((p) => p.defect !== undefined).map((p) => ({ part: 'method' as const, p })),
  origin.filter((p) => p.defect !== undefined).map((p) => ({ part: 'origin' as const, p })),
  fc.constant({ part: 'fetchSite' as const, p: { value: 'cross-site' } }),
  contentType.filter((p) => p.defect !== undefined).map((p) => ({ part: 'contentType' as const, p })),
  body.filter((p) => p.defect !== undefined).map((p) => ({ part: 'body' as const, p })),
  fc.constant({ part: 'user' as const, p: { value: undefined, defect: 'unauthenticated' as const } }),
);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
