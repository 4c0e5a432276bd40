// ConnectButton's other flows in the embedded modal: cancelling at each step, Escape, a hosted-page
// error, a renewed session, reconnecting, a custom design, the dark theme, several buttons.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import {
  button,
  buttonMeta,
  events,
  expectModalClosed,
  expectOutcome,
  outcome,
} from '../../../.storybook/buttonStories';
import { RECONNECT_CONNECTION_ID } from '../../../.storybook/constants';
import { type RequestLog, simulatorSession } from '../../../.storybook/mocks';
import {
  cancel,
  consent,
  embedFrame,
  Flow,
  hostedStep,
  logIn,
  popupSpy,
  WAIT,
} from '../../../.storybook/storyKit';
import { ConnectButton } from './ConnectButton';
import { embed } from './embed';

// Request bodies the mocked session endpoint received in the current story (cleared before each run).
const requests: RequestLog = [];

const meta = {
  title: 'React/ConnectButton in the modal',
  component: ConnectButton,
  ...buttonMeta(requests),
} satisfies Meta<typeof ConnectButton>;

export default meta;
type Story = StoryObj<typeof meta>;

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
