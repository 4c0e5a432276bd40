import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { RECONNECT_CONNECTION_ID, STORY_USER } from '../../../.storybook/constants';
import {
  crash,
  pending,
  type RequestLog,
  SERVER_ERRORS,
  type ServerErrorCode,
  serverError,
  simulatorSession,
} from '../../../.storybook/mocks';
import {
  cancel,
  consent,
  embedFrame,
  enterCode,
  Flow,
  hostedStep,
  logIn,
  popupSpy,
  simulatorConnections,
  WAIT,
} from '../../../.storybook/storyKit';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';

// Request bodies the mocked session endpoint received in the current story (cleared before each run).
const requests: RequestLog = [];

const meta = {
  title: 'React/ConnectButton',
  component: ConnectButton,
  args: {
    mode: 'embed',
    embed,
    theme: 'light',
    onSuccess: fn(),
    onExit: fn(),
    onError: fn(),
    onEvent: fn(),
  },
  argTypes: {
    mode: { control: 'inline-radio', options: ['popup', 'embed', 'redirect', 'auto'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    prefetch: { control: 'inline-radio', options: [true, 'hover', false] },
    // the modal's code, from @oflink/react/embed: a value, not a setting
    embed: { control: false },
  },
  render: (args) => <Flow {...args} />,
  beforeEach: () => {
    requests.length = 0;
  },
  parameters: {
    msw: { handlers: { session: simulatorSession({ log: requests }) } },
    docs: {
      description: {
        component:
          'An unstyled native `<button type="button">` that opens OFAuth Link. Sessions come from the ' +
          "app's endpoint (mocked here with MSW); the hosted pages are the simulator's. The card around " +
          'the button is story-only: it shows the outcome and the `onEvent` funnel.',
      },
    },
  },
} satisfies Meta<typeof ConnectButton>;

export default meta;
type Story = StoryObj<typeof meta>;

const button = (canvasElement: HTMLElement) =>
  within(canvasElement).getByRole('button', { name: /connect/i });
const outcome = (canvasElement: HTMLElement) => within(canvasElement).getByTestId('outcome');
const events = (canvasElement: HTMLElement) =>
  [...within(canvasElement).getByTestId('events').querySelectorAll('li')].map((li) => li.textContent);

async function expectOutcome(canvasElement: HTMLElement, attributes: Record<string, string>) {
  await waitFor(() => {
    const out = outcome(canvasElement);
    for (const [name, value] of Object.entries(attributes)) expect(out).toHaveAttribute(name, value);
  }, WAIT);
}

/** The modal is gone and focus is back on the button. */
async function expectModalClosed(canvasElement: HTMLElement) {
  await waitFor(() => {
    expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
    expect(button(canvasElement)).toHaveFocus();
  }, WAIT);
}

/** Nothing happened yet: an enabled native button in its `idle` state. */
export const Idle: Story = {
  play: async ({ canvasElement }) => {
    const b = button(canvasElement);
    await expect(b).toHaveAccessibleName('Connect OnlyFans');
    await expect(b).toHaveAttribute('type', 'button');
    await expect(b).toHaveAttribute('data-state', 'idle');
    await expect(b).toBeEnabled();
    await expect(b).not.toHaveAttribute('aria-busy');
    await expect(outcome(canvasElement)).toHaveAttribute('data-status', 'none');
  },
};

/** The session endpoint has not answered yet: `data-state="loading"` and `aria-busy`. */
export const Loading: Story = {
  args: { prefetch: false },
  parameters: { msw: { handlers: { session: pending(requests) } } },
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    await waitFor(() => expect(button(canvasElement)).toHaveAttribute('data-state', 'loading'), WAIT);
    await expect(button(canvasElement)).toHaveAttribute('aria-busy', 'true');
    await waitFor(() => expect(requests).toHaveLength(1), WAIT);
    await expect(events(canvasElement)).toEqual(['session_requested']);
    await expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
  },
};

/** A crashed server: a bare 500 whose body is not JSON gives `session_request_failed`. */
export const ServerError500: Story = {
  args: { prefetch: false },
  parameters: { msw: { handlers: { session: crash() } } },
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    await expectOutcome(canvasElement, {
      'data-status': 'error',
      'data-code': 'session_request_failed',
      'data-http-status': '500',
    });
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'error');
    await expect(button(canvasElement)).toBeEnabled();
    await expect(args.onError).toHaveBeenCalledTimes(1);
    await expect(outcome(canvasElement)).toHaveTextContent('The session endpoint answered 500.');
    await expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
  },
};

/** One story per error code of `@oflink/server`: the code, status and message reach the app as a `LinkError`. */
function serverErrorStory(code: ServerErrorCode): Story {
  const { status, message } = SERVER_ERRORS[code];
  return {
    name: `Server error: ${code} (${status})`,
    args: { prefetch: false },
    parameters: { msw: { handlers: { session: serverError(code, requests) } } },
    play: async ({ canvasElement, args }) => {
      await userEvent.click(button(canvasElement));
      await expectOutcome(canvasElement, {
        'data-status': 'error',
        'data-code': code,
        'data-http-status': String(status),
      });
      await expect(outcome(canvasElement)).toHaveTextContent(message);
      await expect(button(canvasElement)).toHaveAttribute('data-state', 'error');
      await expect(args.onError).toHaveBeenCalledWith(
        expect.objectContaining({ name: 'LinkError', code, status }),
      );
      await expect(args.onExit).toHaveBeenCalledWith({ status: 'error', code, message });
      await expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
      // one click, one request: nothing is retried behind the person's back
      await expect(requests).toHaveLength(1);
    },
  };
}

export const ErrorMethodNotAllowed = serverErrorStory('method_not_allowed');
export const ErrorUnsupportedMediaType = serverErrorStory('unsupported_media_type');
export const ErrorBodyTooLarge = serverErrorStory('body_too_large');
export const ErrorInvalidRequest = serverErrorStory('invalid_request');
export const ErrorForbiddenOrigin = serverErrorStory('forbidden_origin');
export const ErrorUnauthenticated = serverErrorStory('unauthenticated');
export const ErrorConnectionNotOwned = serverErrorStory('connection_not_owned');
export const ErrorServerMisconfigured = serverErrorStory('server_misconfigured');
export const ErrorUpstreamRejected = serverErrorStory('upstream_rejected');
export const ErrorLimitReached = serverErrorStory('limit_reached');
export const ErrorRateLimited = serverErrorStory('rate_limited');
export const ErrorUpstreamUnavailable = serverErrorStory('upstream_unavailable');
export const ErrorUpstreamTimeout = serverErrorStory('upstream_timeout');
export const ErrorUnsupportedMode = serverErrorStory('unsupported_mode');

const blocked = popupSpy({ block: true });

/** The browser blocked the popup (`window.open` returned null): an immediate `popup_blocked` error. */
export const PopupBlocked: Story = {
  args: { mode: 'popup', prefetch: false },
  beforeEach: () => blocked.install(),
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    await expectOutcome(canvasElement, { 'data-status': 'error', 'data-code': 'popup_blocked' });
    await expect(blocked.calls).toBe(1);
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'error');
    await expect(args.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'popup_blocked' }));
    // nothing was requested for a window that never opened
    await expect(requests).toHaveLength(0);
  },
};

/**
 * A prop outside its type (untyped code passing `mode="modal"`): an immediate `invalid_options` error
 * that names the prop and the value; no window, no request.
 */
export const InvalidOption: Story = {
  args: { mode: 'modal' as never, prefetch: false },
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    await expectOutcome(canvasElement, { 'data-status': 'error', 'data-code': 'invalid_options' });
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'error');
    await expect(args.onError).toHaveBeenCalledWith(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringContaining('mode must be one of'),
      }),
    );
    await expect(requests).toHaveLength(0);
  },
};

const popups = popupSpy();

/** Popup mode: one window, opened in the click, navigated to the hosted page once the session arrives. */
export const OpenAsPopup: Story = {
  args: { mode: 'popup', prefetch: false },
  beforeEach: () => popups.install(),
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    await waitFor(() => expect(button(canvasElement)).toHaveAttribute('data-state', 'open'), WAIT);
    await expect(button(canvasElement)).toBeDisabled();
    await expect(popups.opened).toHaveLength(1);
    const page = await hostedStep(popups.opened[0] as Window, 'pre-login');
    await expect(page.querySelector('h1')).toHaveTextContent('Connect your OnlyFans account');
    await expect(requests).toHaveLength(1);
    await expect(events(canvasElement)).toEqual(['session_requested', 'session_ready', 'opened']);
  },
};

const popupFlow = popupSpy();

/**
 * The whole flow in a popup: the hosted page sends the popup to the app's callback page, which
 * relays the outcome to this window (with the attempt's nonce) and closes itself.
 */
export const SuccessInPopup: Story = {
  args: { mode: 'popup', prefetch: false },
  beforeEach: () => popupFlow.install(),
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    const popup = await waitFor(() => {
      expect(popupFlow.opened).toHaveLength(1);
      return popupFlow.opened[0] as Window;
    }, WAIT);
    await consent(await hostedStep(popup, 'pre-login'));
    await logIn(await hostedStep(popup, 'login'), 'gil@creator.sandbox.com');
    await expectOutcome(canvasElement, { 'data-status': 'success', 'data-client-reference-id': STORY_USER });
    await expect(args.onSuccess).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(popup.closed).toBe(true), WAIT);
    const id = outcome(canvasElement).getAttribute('data-connection-id') ?? '';
    await expect((await simulatorConnections()).find((c) => c.id === id)?.clientReferenceId).toBe(STORY_USER);
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'success');
  },
};

/** Embed mode: an accessible modal over the app with the hosted page in an iframe. */
export const OpenEmbedded: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    const dialog = document.querySelector('[data-oflink-overlay] [role=dialog]');
    await expect(dialog).toHaveAttribute('aria-modal', 'true');
    await expect(dialog).toHaveAccessibleName('Connect your OnlyFans account');
    const src = new URL(frame.src);
    await expect(src.searchParams.get('embed')).toBe('true');
    await expect(src.searchParams.get('embed_origin')).toBe(location.origin);
    await hostedStep(frame, 'pre-login');
    // `loaded` only counts when it came from this frame, at the session's origin
    await waitFor(() => expect(events(canvasElement)).toContain('loaded'), WAIT);
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'open');
    await expect(button(canvasElement)).toBeDisabled();
  },
};

/** The whole flow in the embedded hosted page: consent, sandbox login, and a connection the server can confirm. */
export const Success: Story = {
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await logIn(await hostedStep(frame, 'login'), 'ana@creator.sandbox.com');
    await expectOutcome(canvasElement, { 'data-status': 'success' });
    await expectModalClosed(canvasElement);
    const id = outcome(canvasElement).getAttribute('data-connection-id') ?? '';
    await expect(id).toMatch(/^conn_/);
    await expect(outcome(canvasElement)).toHaveTextContent('Ana (@ana) is connected.');
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'success');
    await expect(args.onSuccess).toHaveBeenCalledTimes(1);
    await expect(args.onSuccess).toHaveBeenCalledWith(
      expect.objectContaining({ status: 'success', connectionId: id, confirmed: false }),
    );
    // what the app's server would confirm: the connection exists and belongs to the story user
    const connection = (await simulatorConnections()).find((c) => c.id === id);
    await expect(connection?.clientReferenceId).toBe(STORY_USER);
  },
};

/** A sandbox account with a one-time code: consent, login, code, connected. */
export const SuccessWithOneTimeCode: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await logIn(await hostedStep(frame, 'login'), 'bea@creator-otp.sandbox.com');
    await enterCode(await hostedStep(frame, '2fa'));
    await expectOutcome(canvasElement, { 'data-status': 'success' });
    await expect(outcome(canvasElement)).toHaveTextContent('Bea (@bea) is connected.');
    await expectModalClosed(canvasElement);
  },
};

/** Cancel on the consent screen. */
export const CancelledBeforeLogin: Story = {
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    await cancel(await hostedStep(await embedFrame(), 'pre-login'));
    await expectOutcome(canvasElement, {
      'data-status': 'cancelled',
      'data-step': 'pre-login',
      'data-reason': 'user',
    });
    await expectModalClosed(canvasElement);
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'idle');
    await expect(args.onExit).toHaveBeenCalledWith({
      status: 'cancelled',
      step: 'pre-login',
      reason: 'user',
    });
    await expect(args.onError).not.toHaveBeenCalled();
  },
};

/** Cancel on the login screen. */
export const CancelledAtLogin: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await cancel(await hostedStep(frame, 'login'));
    await expectOutcome(canvasElement, {
      'data-status': 'cancelled',
      'data-step': 'login',
      'data-reason': 'user',
    });
    await expect(outcome(canvasElement)).toHaveTextContent('You left at the login step');
    await expectModalClosed(canvasElement);
  },
};

/** Cancel on the one-time code screen. */
export const CancelledAtTwoFactor: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await logIn(await hostedStep(frame, 'login'), 'cy@creator-otp.sandbox.com');
    await cancel(await hostedStep(frame, '2fa'));
    await expectOutcome(canvasElement, {
      'data-status': 'cancelled',
      'data-step': '2fa',
      'data-reason': 'user',
    });
    await expectModalClosed(canvasElement);
  },
};

const closing = popupSpy();

/** The person closes the popup: once they are back on the app, `cancelled` with reason `closed`. */
export const CancelledByClosingThePopup: Story = {
  args: { mode: 'popup', prefetch: false, popupCloseGraceMs: 200 },
  beforeEach: () => closing.install(),
  play: async ({ canvasElement, args }) => {
    await userEvent.click(button(canvasElement));
    const popup = await waitFor(() => {
      expect(closing.opened).toHaveLength(1);
      return closing.opened[0] as Window;
    }, WAIT);
    await hostedStep(popup, 'pre-login');
    popup.close();
    // Back on the app: a click tells the controller the close was real (it polls the window, so
    // the person may click before it noticed; they click again, as a person would).
    await waitFor(async () => {
      await userEvent.click(within(canvasElement).getByTestId('events'));
      expect(outcome(canvasElement)).toHaveAttribute('data-reason', 'closed');
    }, WAIT);
    await expectOutcome(canvasElement, { 'data-status': 'cancelled', 'data-reason': 'closed' });
    await expect(outcome(canvasElement)).toHaveTextContent('The window was closed');
    await expect(args.onExit).toHaveBeenCalledWith({ status: 'cancelled', reason: 'closed' });
    await expect(button(canvasElement)).toBeEnabled();
  },
};

/** Escape in the modal asks the hosted page to exit; it answers with the step the person was on. */
export const EscapeClosesTheModal: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    await hostedStep(await embedFrame(), 'pre-login');
    await waitFor(() => expect(events(canvasElement)).toContain('loaded'), WAIT);
    await userEvent.keyboard('{Escape}');
    await expectOutcome(canvasElement, { 'data-status': 'cancelled', 'data-step': 'pre-login' });
    await expectModalClosed(canvasElement);
    await expect(events(canvasElement)).toContain('closed');
  },
};

/** A locked sandbox account: the hosted page ends in an error the app can explain. */
export const HostedPageError: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await logIn(await hostedStep(frame, 'login'), 'dan@locked.sandbox.com');
    await expectOutcome(canvasElement, { 'data-status': 'error', 'data-code': 'account_locked' });
    await expect(outcome(canvasElement)).toHaveTextContent('This account is locked.');
    await expectModalClosed(canvasElement);
  },
};

/**
 * The session expired before the page loaded (the simulator expires the first one): the page
 * reports `invalid_session`, a new session is fetched and loaded in the same modal.
 */
export const ExpiredSessionRenewed: Story = {
  args: { prefetch: false },
  parameters: { msw: { handlers: { session: simulatorSession({ log: requests, expireFirst: true }) } } },
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await waitFor(() => expect(events(canvasElement)).toContain('session_renewed'), WAIT);
    await expect(requests).toHaveLength(2);
    const page = await hostedStep(frame, 'pre-login');
    await expect(button(canvasElement)).toHaveAttribute('data-state', 'open');
    // the renewed session is a working one: finish the flow in it
    await consent(page);
    await logIn(await hostedStep(frame, 'login'), 'eve@fan.sandbox.com');
    await expectOutcome(canvasElement, { 'data-status': 'success' });
  },
};

/** Reconnect an existing connection: `connectionId` goes to the endpoint and the same connection comes back. */
export const Reconnect: Story = {
  args: { connectionId: RECONNECT_CONNECTION_ID, children: 'Reconnect OnlyFans', prefetch: false },
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Reconnect OnlyFans' }));
    const frame = await embedFrame();
    await consent(await hostedStep(frame, 'pre-login'));
    await logIn(await hostedStep(frame, 'login'), 'fay@creator.sandbox.com');
    await expectOutcome(canvasElement, {
      'data-status': 'success',
      'data-connection-id': RECONNECT_CONNECTION_ID,
    });
    await expect(requests).toEqual([{ connectionId: RECONNECT_CONNECTION_ID }]);
  },
};

/** `asChild`: the app's own element, with the button's behaviour and state merged into it. */
export const AsChildCustomDesign: Story = {
  render: (args) => (
    <ConnectButton {...args} asChild>
      <button type="button" className="brand-connect">
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 18 18">
          <circle cx="9" cy="9" r="7" fill="none" stroke="currentColor" strokeWidth="2" />
          <circle cx="9" cy="9" r="3" fill="currentColor" />
        </svg>
        <span>Link your OnlyFans</span>
      </button>
    </ConnectButton>
  ),
  play: async ({ canvasElement }) => {
    const b = within(canvasElement).getByRole('button', { name: 'Link your OnlyFans' });
    await expect(within(canvasElement).getAllByRole('button')).toHaveLength(1);
    await expect(b).toHaveClass('brand-connect');
    await expect(b).toHaveAttribute('data-state', 'idle');
    await userEvent.click(b);
    await embedFrame();
    await waitFor(() => expect(b).toHaveAttribute('data-state', 'open'), WAIT);
    await expect(b).toBeDisabled();
  },
};

/** `theme="dark"` reaches the embedded hosted page. */
export const DarkTheme: Story = {
  args: { theme: 'dark' },
  decorators: [
    (Story) => (
      <div className="oflink-dark">
        <Story />
      </div>
    ),
  ],
  parameters: { backgrounds: { disable: true } },
  play: async ({ canvasElement }) => {
    await userEvent.click(button(canvasElement));
    const frame = await embedFrame();
    await expect(new URL(frame.src).searchParams.get('theme')).toBe('dark');
    const page = await hostedStep(frame, 'pre-login');
    await expect(page.documentElement).toHaveAttribute('data-theme', 'dark');
  },
};

/** Several buttons on one page: each has its own attempt; one click opens one modal and one session. */
export const SeveralButtons: Story = {
  args: { prefetch: false },
  render: (args) => (
    <div style={{ display: 'grid', gap: 16 }}>
      <Flow {...args} title="Main account" mode="embed" embed={embed} />
      <Flow {...args} title="Second account" mode="embed" embed={embed} />
      <Flow
        {...args}
        title="Existing connection"
        mode="embed"
        embed={embed}
        connectionId={RECONNECT_CONNECTION_ID}
      />
    </div>
  ),
  play: async ({ canvasElement }) => {
    const cards = within(canvasElement).getAllByRole('region');
    await expect(cards).toHaveLength(3);
    const second = within(cards[1] as HTMLElement).getByRole('button');
    await userEvent.click(second);
    await hostedStep(await embedFrame(), 'pre-login');
    await expect(document.querySelectorAll('[data-oflink-overlay]')).toHaveLength(1);
    await expect(second).toHaveAttribute('data-state', 'open');
    for (const i of [0, 2])
      await expect(within(cards[i] as HTMLElement).getByRole('button')).toHaveAttribute('data-state', 'idle');
    await expect(requests).toEqual([{}]);
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(second).toHaveAttribute('data-state', 'idle'), WAIT);
    await expect(within(cards[1] as HTMLElement).getByTestId('outcome')).toHaveAttribute(
      'data-status',
      'cancelled',
    );
    for (const i of [0, 2])
      await expect(within(cards[i] as HTMLElement).getByTestId('outcome')).toHaveAttribute(
        'data-status',
        'none',
      );
  },
};
