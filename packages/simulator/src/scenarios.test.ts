import { describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioForEmail } from './scenarios';

describe('scenarioForEmail', () => {
  it.each([
    ['ana@creator.sandbox.com', 'creator'],
    ['ANA@Creator-OTP.Sandbox.com', 'creator-otp'],
    ['bo@fan.sandbox.com', 'fan'],
    ['bo@fan-otp.sandbox.com', 'fan-otp'],
    ['x@locked.sandbox.com', 'locked'],
    ['x@otp-rejected.sandbox.com', 'otp-rejected'],
  ])('the domain of %s picks %s', (email, id) => {
    expect(scenarioForEmail(email)?.id).toBe(id);
  });

  it.each(['ana@creator.sandbox.com.evil.test', 'ana@sandbox.com', '@creator.sandbox.com', 'no-at-sign'])(
    '%s picks no scenario',
    (email) => {
      expect(scenarioForEmail(email)).toBeUndefined();
    },
  );

  it('lists the four PROTOCOL.md scenarios first, with the published password and code', () => {
    expect(
      SCENARIOS.slice(0, 4).map((s) => [s.id, s.accountType, s.loginType, s.password, s.otpCode]),
    ).toEqual([
      ['creator', 'creator', 'password', 'good-password', undefined],
      ['creator-otp', 'creator', 'app_otp', 'good-password', '123456'],
      ['fan', 'fan', 'password', 'good-password', undefined],
      ['fan-otp', 'fan', 'app_otp', 'good-password', '123456'],
    ]);
  });
});
