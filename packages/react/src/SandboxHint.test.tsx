import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { embed } from './embed';
import { SandboxHint } from './SandboxHint';
import { type UseLinkSessionOptions, useLinkSession } from './useLinkSession';

function EmbedPage({ options }: { options: UseLinkSessionOptions }) {
  const link = useLinkSession(options);
  return (
    <>
      <button type="button" onClick={link.open}>
        Connect
      </button>
      <SandboxHint info={link.sandbox} />
    </>
  );
}

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

  it('shows what an embedded sandbox session reports through useLinkSession().sandbox and onEvent', async () => {
    const onEvent = vi.fn();
    const queryClient = new QueryClient();
    const fetchSession = async () => ({
      mode: 'hosted' as const,
      url: 'https://link.test/cs_sandbox',
      expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    });
    render(<EmbedPage options={{ mode: 'embed', embed, fetchSession, queryClient, onEvent }} />);
    act(() => screen.getByRole('button').click());
    await waitFor(() => expect(document.querySelector('iframe')).not.toBeNull());
    const frame = document.querySelector('iframe') as HTMLIFrameElement;
    act(() => {
      window.dispatchEvent(
        new MessageEvent('message', {
          origin: 'https://link.test',
          source: frame.contentWindow,
          data: { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: info },
        }),
      );
    });
    expect(screen.getByRole('complementary', { name: 'Sandbox credentials' }).textContent).toContain(
      '123456',
    );
    expect(onEvent).toHaveBeenCalledWith({ type: 'sandbox_info', info });
    queryClient.clear();
  });

  it('renders nothing without sandbox info', () => {
    const { container } = render(<SandboxHint info={null} />);
    expect(container.innerHTML).toBe('');
  });

  it('renders nothing in production builds', async () => {
    // the build mode is read once, when the modules load
    vi.stubEnv('NODE_ENV', 'production');
    vi.resetModules();
    const production = await import('./SandboxHint');
    const { container } = render(<production.SandboxHint info={info} />);
    expect(container.innerHTML).toBe('');
  });
});
