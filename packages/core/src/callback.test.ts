import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { parseCallback } from './callback';
import { safeReturnPath } from './records';

const fuzz = { callbacks: 0 };
afterAll(() =>
  writeFigures('core-fuzz-callback', [
    {
      area: 'browser fuzz',
      measure: 'callback queries generated (fast-check); all parsed without throwing',
      value: fuzz.callbacks,
      goal: '≥ 500',
    },
  ]),
);

describe('parseCallback', () => {
  it.each([
    ['?status=success&connection_id=conn_1', { status: 'success', connectionId: 'conn_1', confirmed: false }],
    [
      '?status=success&connection_id=conn_1&client_reference_id=user_9',
      { status: 'success', connectionId: 'conn_1', clientReferenceId: 'user_9', confirmed: false },
    ],
    ['?status=cancelled', { status: 'cancelled', reason: 'user' }],
    ['?status=cancelled&step=pre-login', { status: 'cancelled', step: 'pre-login', reason: 'user' }],
    ['?status=cancelled&step=authorization', { status: 'cancelled', step: 'authorization', reason: 'user' }],
    [
      '?status=cancelled&step=login&client_reference_id=u1',
      { status: 'cancelled', step: 'login', reason: 'user' },
    ],
    ['?status=cancelled&step=2fa', { status: 'cancelled', step: '2fa', reason: 'user' }],
    // an unknown step is dropped, not the cancellation
    ['?status=cancelled&step=checkout', { status: 'cancelled', reason: 'user' }],
    // the server's rule for a client reference: an email passes
    [
      '?status=success&connection_id=conn_1&client_reference_id=ana%40example.com',
      { status: 'success', connectionId: 'conn_1', clientReferenceId: 'ana@example.com' },
    ],
    ['?status=error&error_code=session_expired', { status: 'error', code: 'session_expired' }],
    ['?status=error&error_code=invalid_credentials', { status: 'error', code: 'invalid_credentials' }],
    ['?status=error&error_code=account_locked', { status: 'error', code: 'account_locked' }],
    ['?status=error&error_code=2fa_failed', { status: 'error', code: '2fa_failed' }],
    ['?status=error&error_code=something_new', { status: 'error', code: 'something_new' }],
  ])('parses %s', (search, expected) => {
    expect(parseCallback(search)).toMatchObject(expected);
  });

  it('accepts URLSearchParams as well as a string', () => {
    expect(parseCallback(new URLSearchParams({ status: 'success', connection_id: 'conn_2' }))).toEqual({
      status: 'success',
      connectionId: 'conn_2',
      confirmed: false,
    });
  });

  it.each([
    '',
    '?',
    '?status=',
    '?status=SUCCESS&connection_id=conn_1',
    '?status=success',
    '?status=success&connection_id=',
    '?status=success&connection_id=conn 1',
    '?status=success&connection_id=%3Cscript%3E',
    // the browser and the server share one connection id rule: `conn_…`
    '?status=success&connection_id=conn.a:1',
    '?status=success&connection_id=abc',
    '?status=error',
    '?status=error&error_code=',
    '?status=error&error_code=%3Cb%3E',
    '?status=success&connection_id=conn_1&client_reference_id=%0Aevil',
    '?status=maybe',
    '?connection_id=conn_1',
  ])('turns the malformed callback %j into invalid_callback', (search) => {
    expect(parseCallback(search)).toMatchObject({ status: 'error', code: 'invalid_callback' });
  });

  it('never throws and always yields a well-formed outcome, whatever the query', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('status', 'connection_id', 'client_reference_id', 'step', 'error_code', 'x'),
          fc.oneof(fc.string(), fc.constantFrom('success', 'cancelled', 'error', 'login', 'conn_1')),
        ),
        (params) => {
          const outcome = parseCallback(new URLSearchParams(params));
          fuzz.callbacks++;
          if (outcome.status === 'success') {
            expect(outcome.confirmed).toBe(false);
            expect(outcome.connectionId).toBe(params.connection_id);
            expect(params.status).toBe('success');
          } else if (outcome.status === 'cancelled') {
            expect(params.status).toBe('cancelled');
            expect(outcome.reason).toBe('user');
          } else {
            expect(typeof outcome.code).toBe('string');
            expect(outcome.code.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('safeReturnPath', () => {
  const origin = 'https://app.example';
  it.each([
    ['/settings', '/settings'],
    ['/a/b?x=1#top', '/a/b?x=1#top'],
    ['/', '/'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnPath(input, origin)).toBe(expected);
  });

  it.each([
    '//evil.example/x',
    '/x/..//evil.example',
    '/.//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'settings',
    '/\t/evil.example',
    '',
    null,
    42,
  ])('refuses %j (no open redirect)', (input) => {
    expect(safeReturnPath(input, origin)).toBeNull();
  });

  it('only ever returns paths on the same origin', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.string().map((s) => `/${s}`),
          fc
            .array(fc.constantFrom('/', '\\', '.', '..', 'evil.example', '\t', '%2F', 'a'), { maxLength: 8 })
            .map((parts) => `/${parts.join('')}`),
        ),
        (input) => {
          const out = safeReturnPath(input, origin);
          if (out !== null) {
            expect(out.startsWith('/')).toBe(true);
            expect(out.startsWith('//')).toBe(false);
            expect(new URL(out, origin).origin).toBe(origin);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
