import { describe, expect, it } from 'vitest';
import { parseInitRequest } from './initRequest';

describe('parseInitRequest', () => {
  it('treats an empty body as an empty request (every field is optional)', () => {
    expect(parseInitRequest('')).toEqual({ ok: true, value: {} });
  });

  it('keeps the known fields and drops unknown ones', () => {
    const r = parseInitRequest(
      JSON.stringify({
        clientAppId: 'app_x1',
        clientReferenceId: 'u',
        extra: true,
        geolocation: { country: 'US', city: 'SF' },
      }),
    );
    expect(r).toEqual({
      ok: true,
      value: { clientAppId: 'app_x1', clientReferenceId: 'u', geolocation: { country: 'US', city: 'SF' } },
    });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an array', '[]', /Invalid request/],
    ['a bad clientAppId', '{"clientAppId":"app_"}', /clientAppId/],
    ['geolocation without country', '{"geolocation":{"city":"SF"}}', /geolocation\.country/],
    [
      'options.returnRawSession not boolean',
      '{"options":{"returnRawSession":"yes"}}',
      /options\.returnRawSession/,
    ],
    ['origin not a URI', '{"origin":"nope"}', /origin/],
  ])('refuses %s with an error naming the field', (_name, raw, message) => {
    const r = parseInitRequest(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
