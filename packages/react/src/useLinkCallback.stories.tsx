import { channelName, RELAY_TYPE } from '@oflink/core/internal';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, waitFor, within } from 'storybook/test';
import { OutcomeView, WAIT } from '../../../.storybook/storyKit';
import type { LinkOutcome } from './index';
import { type UseLinkCallbackOptions, useLinkCallback } from './useLinkCallback';

// Storage keys of pending attempts (packages/core/src/records.ts): what the app tab wrote before
// the popup opened or the redirect left.
const POPUP_KEY = 'oflink:popup';
const REDIRECT_KEY = 'oflink:redirect';

/** What the callback page had before OFAuth sent the person back: nothing, a redirect or a popup attempt. */
type Pending = 'none' | 'redirect' | 'popup';

interface CallbackArgs extends UseLinkCallbackOptions {
  /** The query OFAuth put on the callback URL (`redirectUrl?…`). */
  search: string;
  /** The attempt the app recorded before leaving. */
  pending: Pending;
  /** Redirect mode: where the app asked to come back to. */
  returnTo?: string;
}

/** A callback page as an app writes it, showing what `useLinkCallback` returned. */
function CallbackPage(options: UseLinkCallbackOptions) {
  const { outcome, returnTo, relayed } = useLinkCallback(options);
  if (!outcome) return <p>Finishing…</p>;
  return (
    <section className="oflink-card" aria-label="Callback">
      <OutcomeView outcome={outcome} />
      <p data-testid="relayed" data-relayed={String(relayed)}>
        {relayed ? 'Sent to the app window. You can close this window.' : 'Shown on this page.'}
      </p>
      <p data-testid="return-to" data-return-to={returnTo ?? ''}>
        {returnTo ? <a href={returnTo}>Back to {returnTo}</a> : 'No page to return to.'}
      </p>
    </section>
  );
}

// Relay messages seen on the app origin's channel during the story (the opener's side of a popup).
const relays: unknown[] = [];

const ATTEMPT = { id: 'attempt_storybook', nonce: 'nonce_storybook' };

const meta = {
  title: 'React/useLinkCallback',
  component: CallbackPage,
  args: {
    search: '?status=success&connection_id=conn_abc123',
    pending: 'none',
    closePopup: false,
    onResult: fn(),
  },
  argTypes: {
    search: { control: 'text' },
    pending: { control: 'inline-radio', options: ['none', 'redirect', 'popup'] },
  },
  render: ({ search: _s, pending: _p, returnTo: _r, ...options }) => <CallbackPage {...options} />,
  // The story's own URL becomes the callback URL: the Link parameters are added before the page
  // renders (the hook strips them), and everything is put back afterwards.
  beforeEach: ({ args }) => {
    const original = location.href;
    const url = new URL(original);
    for (const [k, v] of new URLSearchParams(args.search)) url.searchParams.append(k, v);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    const clear = () => {
      sessionStorage.removeItem(POPUP_KEY);
      sessionStorage.removeItem(REDIRECT_KEY);
    };
    clear();
    const at = Date.now();
    if (args.pending === 'redirect')
      sessionStorage.setItem(
        REDIRECT_KEY,
        JSON.stringify({ id: ATTEMPT.id, returnTo: args.returnTo ?? '/settings', at }),
      );
    if (args.pending === 'popup') sessionStorage.setItem(POPUP_KEY, JSON.stringify({ ...ATTEMPT, at }));
    relays.length = 0;
    const channel = new BroadcastChannel(channelName(location.origin));
    channel.onmessage = (e) => relays.push(e.data);
    return () => {
      channel.close();
      clear();
      history.replaceState(history.state, '', original);
    };
  },
  parameters: {
    docs: {
      description: {
        component:
          'The callback page (`redirectUrl`). Each story puts the query OFAuth would send on the ' +
          "story's URL; the card shows what `useLinkCallback` returned. A success is always " +
          '`confirmed: false`: confirm it on the server.',
      },
    },
  },
} satisfies Meta<CallbackArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The Link parameters are gone from the address bar; the story's own parameters stay. */
async function expectStripped() {
  const q = new URLSearchParams(location.search);
  for (const p of ['status', 'connection_id', 'client_reference_id', 'step', 'error_code'])
    await expect(q.has(p)).toBe(false);
}

async function expectOutcome(canvasElement: HTMLElement, expected: LinkOutcome) {
  const out = await waitFor(() => within(canvasElement).getByTestId('outcome'), WAIT);
  await expect(out).toHaveAttribute('data-status', expected.status);
  if (expected.status === 'success') {
    await expect(out).toHaveAttribute('data-connection-id', expected.connectionId);
    if (expected.clientReferenceId)
      await expect(out).toHaveAttribute('data-client-reference-id', expected.clientReferenceId);
    else await expect(out).not.toHaveAttribute('data-client-reference-id');
  } else if (expected.status === 'cancelled') {
    await expect(out).toHaveAttribute('data-step', expected.step ?? '');
    await expect(out).toHaveAttribute('data-reason', expected.reason);
  } else {
    await expect(out).toHaveAttribute('data-code', expected.code);
  }
}

/** A story for one callback query, checking the outcome, that it was shown here (not relayed) and the stripped URL. */
function callback(search: string, expected: LinkOutcome): Story {
  return {
    args: { search },
    play: async ({ canvasElement, args }) => {
      await expectOutcome(canvasElement, expected);
      await expect(args.onResult).toHaveBeenCalledTimes(1);
      await expect(args.onResult).toHaveBeenCalledWith({ outcome: expected, returnTo: null, relayed: false });
      await expect(within(canvasElement).getByTestId('relayed')).toHaveAttribute('data-relayed', 'false');
      await expectStripped();
    },
  };
}

const invalid: LinkOutcome = { status: 'error', code: 'invalid_callback', message: 'Invalid callback URL.' };
const failed = (code: string): LinkOutcome => ({ status: 'error', code, message: `Link failed: ${code}` });

export const Success = callback('?status=success&connection_id=conn_abc123', {
  status: 'success',
  connectionId: 'conn_abc123',
  confirmed: false,
});

export const SuccessWithClientReferenceId = callback(
  '?status=success&connection_id=conn_abc123&client_reference_id=user_42',
  { status: 'success', connectionId: 'conn_abc123', clientReferenceId: 'user_42', confirmed: false },
);

export const CancelledBeforeLogin = callback('?status=cancelled&step=pre-login', {
  status: 'cancelled',
  step: 'pre-login',
  reason: 'user',
});

export const CancelledAtAuthorization = callback('?status=cancelled&step=authorization', {
  status: 'cancelled',
  step: 'authorization',
  reason: 'user',
});

export const CancelledAtLogin = callback('?status=cancelled&step=login', {
  status: 'cancelled',
  step: 'login',
  reason: 'user',
});

export const CancelledAtTwoFactor = callback('?status=cancelled&step=2fa', {
  status: 'cancelled',
  step: '2fa',
  reason: 'user',
});

export const CancelledWithoutStep = callback('?status=cancelled', { status: 'cancelled', reason: 'user' });

/** A step this version does not know is dropped, not the cancellation: the person did leave. */
export const CancelledAtAnUnknownStep = callback('?status=cancelled&step=checkout', {
  status: 'cancelled',
  reason: 'user',
});

/** A connection id that is not `conn_…` fails here, as the server would refuse to confirm it. */
export const MalformedConnectionId = callback('?status=success&connection_id=conn.a:1', invalid);

export const ErrorSessionExpired = callback(
  '?status=error&error_code=session_expired',
  failed('session_expired'),
);

export const ErrorInvalidCredentials = callback(
  '?status=error&error_code=invalid_credentials',
  failed('invalid_credentials'),
);

export const ErrorAccountLocked = callback(
  '?status=error&error_code=account_locked',
  failed('account_locked'),
);

export const ErrorTwoFactorFailed = callback('?status=error&error_code=2fa_failed', failed('2fa_failed'));

/** Codes OFAuth may add later pass through as they are. */
export const ErrorOtherCode = callback(
  '?status=error&error_code=upstream_maintenance',
  failed('upstream_maintenance'),
);

export const MalformedMissingStatus = callback('?connection_id=conn_abc123', invalid);

export const MalformedUnknownStatus = callback('?status=pending&connection_id=conn_abc123', invalid);

export const MalformedSuccessWithoutConnectionId = callback('?status=success', invalid);

export const MalformedErrorWithoutCode = callback('?status=error', invalid);

/** Markup and control characters in the values are refused, never rendered. */
export const MalformedGarbage = callback(
  `?status=success&connection_id=${encodeURIComponent('<img src=x onerror=alert(1)>')}&client_reference_id=%00%0A`,
  invalid,
);

/** Back from a full-page redirect: the saved same-origin `returnTo` comes back with the outcome. */
export const RedirectReturn: Story = {
  args: {
    search: '?status=success&connection_id=conn_abc123',
    pending: 'redirect',
    returnTo: '/settings?tab=connections',
  },
  play: async ({ canvasElement }) => {
    await expectOutcome(canvasElement, { status: 'success', connectionId: 'conn_abc123', confirmed: false });
    await expect(within(canvasElement).getByTestId('return-to')).toHaveAttribute(
      'data-return-to',
      '/settings?tab=connections',
    );
    await expect(within(canvasElement).getByRole('link')).toHaveAttribute(
      'href',
      '/settings?tab=connections',
    );
    await expect(sessionStorage.getItem(REDIRECT_KEY)).toBeNull();
    await expectStripped();
  },
};

/** A `returnTo` pointing at another site is dropped: never an open redirect. */
export const RedirectReturnToAnotherSiteRefused: Story = {
  args: { search: '?status=cancelled&step=login', pending: 'redirect', returnTo: '//evil.example/phish' },
  play: async ({ canvasElement }) => {
    await expectOutcome(canvasElement, { status: 'cancelled', step: 'login', reason: 'user' });
    await expect(within(canvasElement).getByTestId('return-to')).toHaveAttribute('data-return-to', '');
    await expect(within(canvasElement).queryByRole('link')).toBeNull();
  },
};

/** In the popup: the outcome goes to the app window with the attempt's id and nonce. */
export const PopupRelay: Story = {
  args: { search: '?status=success&connection_id=conn_abc123&client_reference_id=user_42', pending: 'popup' },
  play: async ({ canvasElement }) => {
    const outcome: LinkOutcome = {
      status: 'success',
      connectionId: 'conn_abc123',
      clientReferenceId: 'user_42',
      confirmed: false,
    };
    await expectOutcome(canvasElement, outcome);
    await expect(within(canvasElement).getByTestId('relayed')).toHaveAttribute('data-relayed', 'true');
    await waitFor(
      () =>
        expect(relays).toContainEqual({ type: RELAY_TYPE, id: ATTEMPT.id, nonce: ATTEMPT.nonce, outcome }),
      WAIT,
    );
    await expect(sessionStorage.getItem(POPUP_KEY)).toBeNull();
    await expectStripped();
  },
};
