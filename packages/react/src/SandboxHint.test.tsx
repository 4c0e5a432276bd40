import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SandboxHint } from './SandboxHint';

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
});

const info = {
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
};

describe('SandboxHint', () => {
  it('lists the sandbox credentials in development', () => {
    render(<SandboxHint info={info} />);
    const hint = screen.getByRole('complementary', { name: 'Sandbox credentials' });
    expect(hint.textContent).toContain('@creator-otp.sandbox.com');
    expect(hint.textContent).toContain('good-password');
    expect(hint.textContent).toContain('123456');
  });

  it('renders nothing without sandbox info', () => {
    const { container } = render(<SandboxHint info={null} />);
    expect(container.innerHTML).toBe('');
  });

  it('renders nothing in production builds', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { container } = render(<SandboxHint info={info} />);
    expect(container.innerHTML).toBe('');
  });
});
