import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { acceptLinkMessage } from './messages';

const fuzz = { messages: 0, messageViolations: 0 };
afterAll(() =>
  writeFigures('core-fuzz-messages', [
    {
      area: 'browser fuzz',
      measure: 'postMessage payloads generated (fast-check)',
      value: fuzz.messages,
      goal: '≥ 1000',
    },
    {
      area: 'browser fuzz',
      measure: 'accepted without the exact origin and source',
      value: fuzz.messageViolations,
      goal: '0',
    },
  ]),
);

describe('acceptLinkMessage', () => {
  const frame = { name: 'frame window' };
  const url = 'https://link.ofauth.com/cs_1?x=1';
  const data = { type: 'OFAUTH_LINK', event: 'loaded' };

  it('accepts a valid message from the session origin and the opened frame', () => {
    expect(acceptLinkMessage({ origin: 'https://link.ofauth.com', source: frame, data }, url, frame)).toEqual(
      {
        message: { event: 'loaded' },
      },
    );
  });

  it.each([
    'https://link-next.ofauth.com',
    'https://evil.ofauth.com',
    'http://link.ofauth.com',
    'https://link.ofauth.com:444',
    'http://localhost:3000',
    'null',
  ])('ignores a message from the near-miss origin %s', (origin) => {
    expect(acceptLinkMessage({ origin, source: frame, data }, url, frame)).toHaveProperty('ignored');
  });

  it('ignores a message from another window of the right origin', () => {
    expect(
      acceptLinkMessage({ origin: 'https://link.ofauth.com', source: {}, data }, url, frame),
    ).toHaveProperty('ignored');
    expect(
      acceptLinkMessage({ origin: 'https://link.ofauth.com', source: null, data }, url, null),
    ).toHaveProperty('ignored');
  });

  it('never throws, and accepts nothing without the exact origin and source', () => {
    const arbitraryData = fc.oneof(
      fc.anything(),
      fc.record({
        type: fc.constantFrom('OFAUTH_LINK', 'X'),
        event: fc.constantFrom(
          'loaded',
          'success',
          'exit',
          'close',
          'invalid_session',
          'sandbox_info',
          'other',
        ),
        metadata: fc.anything(),
        connection: fc.anything(),
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl(), fc.constant('https://link.ofauth.com')),
        fc.boolean(),
        arbitraryData,
        (origin, sameSource, payload) => {
          const source = sameSource ? frame : { other: true };
          const r = acceptLinkMessage({ origin: new URL(origin).origin, source, data: payload }, url, frame);
          fuzz.messages++;
          if ('message' in r) {
            if (new URL(origin).origin !== 'https://link.ofauth.com' || !sameSource) fuzz.messageViolations++;
            expect(new URL(origin).origin).toBe('https://link.ofauth.com');
            expect(sameSource).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
