// ConnectButton: a native button, its states through an attempt, invalid props, composed handlers.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { client, deferredSession, postFromFrame, SESSION_FN, withQueryClient, wrap } from './buttonTestKit';
import { ConnectButton, type ConnectButtonProps } from './ConnectButton';
import { embed } from './embed';

withQueryClient();

describe('ConnectButton', () => {
  it('is a native type="button" with the default label, unstyled, idle and enabled once hydrated', async () => {
    render(wrap(<ConnectButton fetchSession={SESSION_FN} />));
    const button = screen.getByRole('button', { name: 'Connect OnlyFans' });
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('type')).toBe('button');
    expect(button.getAttribute('style')).toBeNull();
    expect(button.getAttribute('data-state')).toBe('idle');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
  });

  it('forwards its ref to the native button and passes native attributes through', () => {
    const ref = createRef<HTMLButtonElement>();
    render(
      wrap(
        <ConnectButton
          ref={ref}
          fetchSession={SESSION_FN}
          onSuccess={() => {}}
          onEvent={() => {}}
          endpoint="/x"
          theme="dark"
          queryClient={client}
          className="cta"
          aria-describedby="hint"
          id="b1"
        />,
      ),
    );
    expect(ref.current).toBeInstanceOf(HTMLButtonElement);
    expect(ref.current?.className).toBe('cta');
    expect(ref.current?.id).toBe('b1');
    expect(ref.current?.getAttribute('aria-describedby')).toBe('hint');
    // hook options never reach the DOM
    const names = ref.current?.getAttributeNames().filter((n) => n !== 'disabled' && n !== 'data-disabled');
    expect(names?.sort()).toEqual(['aria-describedby', 'class', 'data-state', 'id', 'type']);
  });

  it('goes loading (aria-busy) → open (disabled) → success through data-state in embed mode', async () => {
    const { fetchSession, resolve } = deferredSession();
    const onSuccess = vi.fn();
    render(
      wrap(<ConnectButton fetchSession={fetchSession} mode="embed" embed={embed} onSuccess={onSuccess} />),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    expect(button.getAttribute('data-state')).toBe('loading');
    expect(button.getAttribute('aria-busy')).toBe('true');
    await resolve();
    expect(button.getAttribute('data-state')).toBe('open');
    expect(document.querySelectorAll('iframe')).toHaveLength(1); // one modal under StrictMode
    expect(fetchSession).toHaveBeenCalledTimes(1);
    expect(button.hasAttribute('disabled')).toBe(true);
    expect(button.getAttribute('aria-busy')).toBeNull();
    postFromFrame({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn_ok' } },
    });
    expect(button.getAttribute('data-state')).toBe('success');
    expect(button.hasAttribute('disabled')).toBe(false);
    expect(onSuccess).toHaveBeenCalledWith({ status: 'success', connectionId: 'conn_ok', confirmed: false });
  });

  it('with confirm: loading while the server confirms, then success with confirmed: true', async () => {
    let answer: (ok: boolean) => void = () => undefined;
    const confirm = vi.fn(
      () =>
        new Promise<void>((resolve, reject) => {
          answer = (ok) => (ok ? resolve() : reject(new Error('no')));
        }),
    );
    const onSuccess = vi.fn();
    render(
      wrap(
        <ConnectButton
          fetchSession={SESSION_FN}
          mode="embed"
          embed={embed}
          confirm={confirm}
          onSuccess={onSuccess}
        />,
      ),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(document.querySelector('iframe')).not.toBeNull());
    postFromFrame({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn_c' } },
    });
    expect(button.getAttribute('data-state')).toBe('loading');
    expect(button.getAttribute('aria-busy')).toBe('true');
    expect(document.querySelector('iframe')).toBeNull();
    expect(confirm).toHaveBeenCalledWith(
      'conn_c',
      expect.objectContaining({ signal: expect.any(AbortSignal) }),
    );
    expect(onSuccess).not.toHaveBeenCalled();
    await act(async () => answer(true));
    expect(button.getAttribute('data-state')).toBe('success');
    expect(onSuccess).toHaveBeenCalledWith({ status: 'success', connectionId: 'conn_c', confirmed: true });
  });

  it('mode="embed" without the embed entry ends at once as invalid_options, saying what to import', async () => {
    const fetchSession = vi.fn(SESSION_FN);
    const onError = vi.fn();
    const onExit = vi.fn();
    render(
      wrap(<ConnectButton fetchSession={fetchSession} mode="embed" onError={onError} onExit={onExit} />),
    );
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0]?.[0];
    expect(error).toMatchObject({ name: 'LinkError', code: 'invalid_options' });
    expect(error.message).toContain('@oflink/react/embed');
    expect(onExit).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'error', code: 'invalid_options' }),
    );
    // nothing was started: no request, no modal
    expect(fetchSession).not.toHaveBeenCalled();
    expect(document.querySelector('iframe')).toBeNull();
    await waitFor(() => expect(button.getAttribute('data-state')).toBe('error'));
  });

  it('shows data-state="error" for an error outcome', async () => {
    render(wrap(<ConnectButton fetchSession={SESSION_FN} mode="embed" embed={embed} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    await waitFor(() => expect(document.querySelector('iframe')).not.toBeNull());
    postFromFrame({
      type: 'OFAUTH_LINK',
      event: 'exit',
      metadata: { type: 'error', error: { error_type: 'account_locked', error_message: 'Locked.' } },
    });
    expect(button.getAttribute('data-state')).toBe('error');
  });

  it('an invalid prop (mode="modal" from untyped code) is an invalid_options error: onExit, onError, data-state', async () => {
    const onExit = vi.fn();
    const onError = vi.fn();
    const open = vi.spyOn(window, 'open');
    const fetchSession = vi.fn(SESSION_FN);
    const props = { fetchSession, mode: 'modal', onExit, onError } as unknown as ConnectButtonProps;
    render(wrap(<ConnectButton {...props} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    expect(button.getAttribute('data-state')).toBe('error');
    const message =
      'Invalid oflink options: mode must be one of "auto", "popup", "embed", "redirect"; got "modal".';
    expect(onExit).toHaveBeenCalledWith({ status: 'error', code: 'invalid_options', message });
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'LinkError', code: 'invalid_options', message }),
    );
    expect(open).not.toHaveBeenCalled();
    expect(fetchSession).not.toHaveBeenCalled();
  });

  it("composes the user's onClick, and preventDefault() keeps the flow closed", async () => {
    const onClick = vi.fn((e: { preventDefault(): void }) => e.preventDefault());
    const fetchSession = vi.fn(SESSION_FN);
    render(wrap(<ConnectButton fetchSession={fetchSession} mode="embed" embed={embed} onClick={onClick} />));
    const button = screen.getByRole('button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
    expect(fetchSession).not.toHaveBeenCalled();
    expect(button.getAttribute('data-state')).toBe('idle');
  });

  it.each([
    ['text', 'Connect'],
    [
      'two elements',
      [
        <a key="a" href="#a">
          A
        </a>,
        <a key="b" href="#b">
          B
        </a>,
      ],
    ],
    ['nothing', null],
  ])(
    'with asChild and %s as children throws LinkError invalid_options (never renders nothing)',
    (_, children) => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      expect(() =>
        render(
          wrap(
            <ConnectButton asChild fetchSession={SESSION_FN}>
              {children}
            </ConnectButton>,
          ),
        ),
      ).toThrow(
        expect.objectContaining({
          name: 'LinkError',
          code: 'invalid_options',
          message: '`asChild` needs exactly one React element as its child.',
        }),
      );
    },
  );
});
