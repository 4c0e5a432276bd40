import type { SandboxScenario as ScenarioOnTheWire } from '@oflink/protocol';

/** One sandbox scenario (PROTOCOL.md §4, plus `locked` and `otp-rejected`): what `sandbox_info` sends, and how it ends. */
export interface SandboxScenario extends ScenarioOnTheWire {
  /** Kind of account the scenario logs into. */
  accountType: 'creator' | 'fan';
  /** Whether a one-time code follows the password. */
  loginType: 'password' | 'app_otp';
  /** How the scenario ends after a correct password (and code). */
  outcome: 'success' | 'account_locked' | '2fa_failed';
}

/** The sandbox password. */
export const SANDBOX_PASSWORD = 'good-password';
/** The sandbox one-time code. */
export const SANDBOX_CODE = '123456';

/** Every scenario, in the order `sandbox_info` lists them. */
export const SCENARIOS: readonly SandboxScenario[] = [
  {
    id: 'creator',
    accountType: 'creator',
    loginType: 'password',
    password: SANDBOX_PASSWORD,
    outcome: 'success',
  },
  {
    id: 'creator-otp',
    accountType: 'creator',
    loginType: 'app_otp',
    password: SANDBOX_PASSWORD,
    otpCode: SANDBOX_CODE,
    outcome: 'success',
  },
  { id: 'fan', accountType: 'fan', loginType: 'password', password: SANDBOX_PASSWORD, outcome: 'success' },
  {
    id: 'fan-otp',
    accountType: 'fan',
    loginType: 'app_otp',
    password: SANDBOX_PASSWORD,
    otpCode: SANDBOX_CODE,
    outcome: 'success',
  },
  {
    id: 'locked',
    accountType: 'creator',
    loginType: 'password',
    password: SANDBOX_PASSWORD,
    outcome: 'account_locked',
  },
  {
    id: 'otp-rejected',
    accountType: 'creator',
    loginType: 'app_otp',
    password: SANDBOX_PASSWORD,
    otpCode: SANDBOX_CODE,
    outcome: '2fa_failed',
  },
];

/**
 * The scenario an email selects: its domain must be `<scenario id>.sandbox.com`.
 * @example scenarioForEmail('ana@fan-otp.sandbox.com')?.id // 'fan-otp'
 */
export function scenarioForEmail(email: string): SandboxScenario | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return SCENARIOS.find((s) => domain === `${s.id}.sandbox.com`);
}
