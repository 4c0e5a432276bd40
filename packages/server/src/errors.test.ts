import { describe, expect, it } from 'vitest';
import { redact, sanitizeCause } from './errors';
import { parseRetryAfter } from './upstream';

describe('redact', () => {
  it('removes the given secrets, sk_ keys and cs_ session ids, and cuts URLs to their origin', () => {
    const text = redact(
      'key sk_live_abc123 or MYSECRET at https://link.ofauth.com/s/cs_9xYz?embed=true and https://api.ofauth.com',
      ['MYSECRET'],
    );
    expect(text).toBe(
      'key sk_[redacted] or [redacted] at https://link.ofauth.com/[redacted] and https://api.ofauth.com',
    );
  });

  it('bounds the length of what it returns', () => {
    expect(redact('x'.repeat(1000)).length).toBeLessThanOrEqual(301);
  });

  it('sanitizeCause copies name, message, string code and causes, redacted', () => {
    const inner = Object.assign(new Error('socket to https://x.example/cs_abc closed'), {
      code: 'ECONNRESET',
    });
    const outer = new TypeError('fetch failed with KEY', { cause: inner });
    const copy = sanitizeCause(outer, ['KEY']);
    expect(copy).toMatchObject({ name: 'TypeError', message: 'fetch failed with [redacted]' });
    expect(copy.cause).toMatchObject({
      message: 'socket to https://x.example/[redacted] closed',
      code: 'ECONNRESET',
    });
    expect(sanitizeCause('plain KEY', ['KEY']).message).toBe('Non-Error thrown: plain [redacted]');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['2', 2],
    [' 10 ', 10],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', null],
    ['-1', null],
    ['1.5', null],
  ])('%s → %s', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it('absent → null', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
