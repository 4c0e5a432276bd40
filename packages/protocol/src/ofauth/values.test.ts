import { describe, expect, it } from 'vitest';
import { hasControl, printable } from './values';

describe('hasControl', () => {
  it('finds exactly the C0 and C1 control characters, in every UTF-16 code unit', () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
      if (hasControl(`a${String.fromCharCode(c)}b`) !== control) wrong.push(c);
    }
    expect(wrong).toEqual([]);
  });

  it('reads a whole string, not its first character', () => {
    expect(hasControl('user_1')).toBe(false);
    expect(hasControl('user_1\n')).toBe(true);
    expect(hasControl('ünïcödé 😀')).toBe(false);
  });
});

describe('printable', () => {
  it('keeps a string of 1 to max characters with no control character', () => {
    expect(printable('user_1', 6)).toBe('user_1');
    expect(printable('user_12', 6)).toBeUndefined();
    expect(printable('  ', 6)).toBeUndefined();
    expect(printable('a\u0085b', 6)).toBeUndefined();
    expect(printable(42, 6)).toBeUndefined();
  });
});
