// How often ConnectButton re-renders through a whole popup flow: a count React's Profiler gives,
// the same on any machine (a bound on renders, not on time).
import { QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { client, popups, relayTo, withSessionEndpoint } from './sessionTestKit';

withSessionEndpoint();

const fetchSession = async () => ({
  mode: 'hosted' as const,
  url: 'https://link.test/cs_renders',
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
});

describe('renders', () => {
  it('commits at most 4 times from mount to a popup success: mount, hover, click and open, success', async () => {
    let commits = 0;
    const onSuccess = vi.fn();
    // no StrictMode, whose development double mount adds a commit of its own
    render(
      <QueryClientProvider client={client}>
        <Profiler id="button" onRender={() => void commits++}>
          <ConnectButton mode="popup" fetchSession={fetchSession} onSuccess={onSuccess} />
        </Profiler>
      </QueryClientProvider>,
    );
    const button = screen.getByRole('button');
    // the hover fetches the session ahead of the click (one commit when it is ready)
    await act(async () => {
      fireEvent.pointerOver(button);
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    await act(async () => {
      fireEvent.click(button);
    });
    expect(button.getAttribute('data-state')).toBe('open');
    expect(popups).toHaveLength(1);
    relayTo(0, { status: 'success', connectionId: 'conn_renders' });
    expect(button.getAttribute('data-state')).toBe('success');
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect(commits).toBeLessThanOrEqual(4);
  });
});
