// ConnectButton rendered as its child (asChild), accessible with the modal open, torn down mid-flow,
// and giving focus back when the modal closes.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { createRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { SESSION_FN, withQueryClient, wrap } from './buttonTestKit';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';

withQueryClient();

describe('ConnectButton', () => {
  it('with asChild renders the child element with the state and composed handlers', async () => {
    const childClick = vi.fn();
    const ref = createRef<HTMLButtonElement>();
    render(
      wrap(
        <ConnectButton asChild fetchSession={SESSION_FN} mode="embed" embed={embed} ref={ref}>
          <button type="submit" className="mine" onClick={childClick}>
            Link my account
          </button>
        </ConnectButton>,
      ),
    );
    const el = screen.getByRole('button', { name: 'Link my account' });
    expect(el.className).toBe('mine');
    expect(el.getAttribute('type')).toBe('submit');
    expect(ref.current).toBe(el);
    await waitFor(() => expect(el.hasAttribute('disabled')).toBe(false));
    fireEvent.click(el);
    expect(childClick).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(el.getAttribute('data-state')).toBe('open'));
  });

  it('has no axe violations, closed and with the embed modal open', async () => {
    render(
      wrap(
        <main>
          <h1>Settings</h1>
          <ConnectButton fetchSession={SESSION_FN} mode="embed" embed={embed} />
        </main>,
      ),
    );
    const options = { iframes: false, rules: { 'color-contrast': { enabled: false } } };
    expect((await axe.run(document.body, options)).violations.map((v) => v.id)).toEqual([]);
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByRole('dialog')).toBeTruthy());
    expect((await axe.run(document.body, options)).violations.map((v) => v.id)).toEqual([]);
    expect(screen.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
  });

  it('unmounting with the modal open removes it, unlocks scrolling and stops listening', async () => {
    const onSuccess = vi.fn();
    const { unmount } = render(
      wrap(<ConnectButton fetchSession={SESSION_FN} mode="embed" embed={embed} onSuccess={onSuccess} />),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(document.querySelector('iframe')).not.toBeNull());
    const frame = document.querySelector('iframe') as HTMLIFrameElement;
    const frameWindow = frame.contentWindow;
    expect(document.body.style.overflow).toBe('hidden');
    unmount();
    expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
    expect(document.body.style.overflow).toBe('');
    window.dispatchEvent(
      new MessageEvent('message', {
        data: {
          type: 'OFAUTH_LINK',
          event: 'success',
          metadata: { redirect: false, connection: { id: 'conn_late' } },
        },
        origin: 'https://link.test',
        source: frameWindow,
      }),
    );
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it('returns focus to the button when the modal closes on Escape before the page loaded', async () => {
    render(wrap(<ConnectButton fetchSession={SESSION_FN} mode="embed" embed={embed} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByRole('dialog')).toBeTruthy());
    expect(document.activeElement).not.toBe(button);
    act(() => {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(button));
    expect(button.getAttribute('data-state')).toBe('idle');
  });
});
