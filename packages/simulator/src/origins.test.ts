import { describe, expect, it } from 'vitest';
import { LOCAL_PATTERNS, originMatches, redirectAllowed } from './origins';

describe('originMatches', () => {
  it.each([
    ['http://localhost:3000', 'http://localhost:*', true],
    ['http://localhost', 'http://localhost:*', true],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:*', true],
    ['https://localhost:3000', 'http://localhost:*', false],
    ['http://localhost.evil.example:3000', 'http://localhost:*', false],
    ['https://app.example', 'https://app.example', true],
    ['https://app.example:444', 'https://app.example', false],
    ['null', 'http://localhost:*', false],
    ['not an origin', 'http://localhost:*', false],
  ])('%s against %s → %s', (origin, pattern, expected) => {
    expect(originMatches(origin, pattern)).toBe(expected);
  });
});

describe('redirectAllowed', () => {
  it.each([
    ['http://localhost:3000/callback?x=1', LOCAL_PATTERNS, true],
    ['http://127.0.0.1:8080/', LOCAL_PATTERNS, true],
    ['https://evil.example/cb', LOCAL_PATTERNS, false],
    ['javascript:alert(1)', LOCAL_PATTERNS, false],
    ['https://app.example/callback', ['https://app.example/callback'], true],
    ['https://app.example/other', ['https://app.example/callback'], false],
    ['https://app.example/any/path', ['https://app.example'], true],
    ['https://app.example.evil.test/callback', ['https://app.example/callback'], false],
  ])('%s against %j → %s', (url, patterns, expected) => {
    expect(redirectAllowed(url, patterns)).toBe(expected);
  });
});
