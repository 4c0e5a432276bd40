// A redirect return whose callback page did not confirm the success, in a StrictMode development
// build: the controller's effect runs resume, dispose, resume; the confirmation the teardown dropped
// must not leave the controller busy. Reported once, and the button works.
import { saveReturned } from '@oflink/core/internal';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { ConnectButton } from './ConnectButton';
import { type UseLinkSessionOptions, useLinkSession } from './useLinkSession';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

/** The outcome the callback page kept for this page, unconfirmed. */
function returnedUnconfirmed() {
  saveReturned(sessionStorage, {
    id: 'r1',
    outcome: { status: 'success', connectionId: 'conn_back', confirmed: false },
    returnTo: window.location.pathname,
  });
}

/** A confirm function whose answers the test releases one by one. */
function heldConfirm() {
  const waiting: (() => void)[] = [];
  const confirm = vi.fn(
    (_id: string, { signal }: { signal: AbortSignal }) =>
      new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
  );
  const release = async () => {
    await act(async () => {
      for (const resolve of waiting.splice(0)) resolve();
    });
  };
  return { confirm, release };
}

const client = () => new QueryClient({ defaultOptions: { queries: { retry: false } } });
/** A session request that never answers: a click that starts an attempt shows `loading`. */
const pendingSession: UseLinkSessionOptions['fetchSession'] = () => new Promise(() => {});

it('is reported once under StrictMode, confirmed, and the button starts the next attempt', async () => {
  returnedUnconfirmed();
  const { confirm, release } = heldConfirm();
  const onSuccess = vi.fn();
  render(
    <StrictMode>
      <QueryClientProvider client={client()}>
        <ConnectButton
          mode="redirect"
          confirm={confirm}
          onSuccess={onSuccess}
          fetchSession={pendingSession}
        />
      </QueryClientProvider>
    </StrictMode>,
  );
  const button = screen.getByRole('button');
  await waitFor(() => expect(button.getAttribute('data-state')).toBe('loading'));
  await release();
  await waitFor(() => expect(button.getAttribute('data-state')).toBe('success'));
  expect(onSuccess).toHaveBeenCalledTimes(1);
  expect(onSuccess).toHaveBeenCalledWith({ status: 'success', connectionId: 'conn_back', confirmed: true });
  fireEvent.click(button);
  expect(button.getAttribute('data-state')).toBe('loading');
});

function ResettablePage(props: UseLinkSessionOptions) {
  const link = useLinkSession(props);
  return (
    <>
      <output data-testid="status">{link.status}</output>
      <button type="button" onClick={link.reset}>
        reset
      </button>
      <button type="button" onClick={link.open}>
        open
      </button>
    </>
  );
}

it('after reset() during the confirmation, reports nothing then, keeps the outcome for the next mount, and opens again', async () => {
  returnedUnconfirmed();
  const { confirm, release } = heldConfirm();
  const onSuccess = vi.fn();
  const onError = vi.fn();
  const queryClient = client();
  const page = (
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ResettablePage
          mode="redirect"
          confirm={confirm}
          onSuccess={onSuccess}
          onError={onError}
          fetchSession={pendingSession}
        />
      </QueryClientProvider>
    </StrictMode>
  );
  const first = render(page);
  const status = () => screen.getByTestId('status').textContent;
  await waitFor(() => expect(status()).toBe('confirming'));
  fireEvent.click(screen.getByText('reset'));
  expect(status()).toBe('idle');
  await release();
  expect(onSuccess).not.toHaveBeenCalled();
  fireEvent.click(screen.getByText('open'));
  expect(status()).toBe('preparing');
  first.unmount();

  // the page mounted again: the kept outcome is confirmed and reported, once
  render(page);
  await waitFor(() => expect(status()).toBe('confirming'));
  await release();
  await waitFor(() => expect(status()).toBe('success'));
  expect(onSuccess).toHaveBeenCalledTimes(1);
  expect(onError).not.toHaveBeenCalled();
});
