import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';

// vitest.react18.config.ts sets OFLINK_EXPECT_REACT=18: the matrix cannot silently collapse to one version
const expected = process.env.OFLINK_EXPECT_REACT ?? '19';

describe('the React version under test', () => {
  it(`is React ${expected} for react and react-dom`, () => {
    expect(version.split('.')[0]).toBe(expected);
    expect(domVersion.split('.')[0]).toBe(expected);
  });
});
