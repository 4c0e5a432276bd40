import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { acceptLinkMessage, parseLinkMessage } from './messages';

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

const userData = { id: 'u1', name: 'Ada', username: 'ada', avatar: null };

describe('parseLinkMessage', () => {
  it.each([
    ['an oversized connection id', 'c'.repeat(10_000)],
    ['markup in the connection id', '<img src=x onerror=alert(1)>'],
    ['an empty connection id', ''],
  ])('refuses a success with %s', (_, id) => {
    const data = { type: 'OFAUTH_LINK', event: 'success', metadata: { redirect: false, connection: { id } } };
    expect(parseLinkMessage(data)).toBeNull();
  });

  it('reads loaded and invalid_session', () => {
    expect(parseLinkMessage({ type: 'OFAUTH_LINK', event: 'loaded' })).toEqual({ event: 'loaded' });
    expect(parseLinkMessage({ type: 'OFAUTH_LINK', event: 'invalid_session' })).toEqual({
      event: 'invalid_session',
    });
  });

  it('reads a v4 success with its connection, user and redirect instruction', () => {
    expect(
      parseLinkMessage({
        type: 'OFAUTH_LINK',
        event: 'success',
        metadata: {
          successUrl: 'https://app.example/done',
          redirect: true,
          connection: { id: 'conn_1', userData },
          user: userData,
        },
      }),
    ).toEqual({
      event: 'success',
      connectionId: 'conn_1',
      user: userData,
      successUrl: 'https://app.example/done',
      redirect: true,
    });
  });

  it('reads the pre-v4 flat success shape', () => {
    expect(
      parseLinkMessage({
        type: 'OFAUTH_LINK',
        event: 'success',
        successUrl: 'https://app.example/done',
        redirect: false,
        user: { ...userData, avatar: 'https://cdn/a.png' },
        connection: { id: 'conn_2' },
      }),
    ).toEqual({
      event: 'success',
      connectionId: 'conn_2',
      user: { ...userData, avatar: 'https://cdn/a.png' },
      successUrl: 'https://app.example/done',
      redirect: false,
    });
  });

  it('reads the pre-v4 close as a cancellation by the user', () => {
    expect(parseLinkMessage({ type: 'OFAUTH_LINK', event: 'close' })).toEqual({
      event: 'exit',
      outcome: { status: 'cancelled', reason: 'user' },
    });
  });

  it.each([
    [
      { type: 'user_exit', step: 'login', error: null },
      { status: 'cancelled', step: 'login', reason: 'user' },
    ],
    [
      { type: 'user_exit', step: '2fa', error: null },
      { status: 'cancelled', step: '2fa', reason: 'user' },
    ],
    [
      { type: 'user_exit', step: 'success', error: null },
      { status: 'cancelled', reason: 'user' },
    ],
    [
      { type: 'forced_exit', error: null },
      { status: 'cancelled', reason: 'user' },
    ],
    [
      { type: 'error', step: 'error', error: { error_type: 'account_locked', error_message: 'Locked.' } },
      { status: 'error', code: 'account_locked', message: 'Locked.' },
    ],
    [
      { type: 'error', error: null },
      { status: 'error', code: 'link_error', message: 'The Link flow failed.' },
    ],
  ])('maps exit metadata %j', (metadata, outcome) => {
    expect(parseLinkMessage({ type: 'OFAUTH_LINK', event: 'exit', metadata })).toEqual({
      event: 'exit',
      outcome,
    });
  });

  it('reads sandbox_info', () => {
    const metadata = {
      scenarios: [
        { id: 'creator', accountType: 'creator', loginType: 'password', password: 'good-password' },
        {
          id: 'creator-otp',
          accountType: 'creator',
          loginType: 'app_otp',
          password: 'good-password',
          otpCode: '123456',
        },
      ],
      activeScenarioId: 'creator',
      currentScreen: 'login',
    };
    expect(parseLinkMessage({ type: 'OFAUTH_LINK', event: 'sandbox_info', metadata })).toEqual({
      event: 'sandbox_info',
      info: metadata,
    });
  });

  it.each([
    null,
    'OFAUTH_LINK',
    [],
    { type: 'OTHER', event: 'loaded' },
    { type: 'OFAUTH_LINK' },
    { type: 'OFAUTH_LINK', event: 'exit_requested' },
    { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: {} } },
    { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: '' } } },
    { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: 7 } } },
    { type: 'OFAUTH_LINK', event: 'exit' },
    { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'mystery' } },
    { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { scenarios: 'x' } },
    { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { scenarios: [{ id: 1 }] } },
  ])('rejects the malformed payload %j', (data) => {
    expect(parseLinkMessage(data)).toBeNull();
  });
});

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
