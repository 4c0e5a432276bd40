// ConnectButton's states, the session endpoint's errors, the popup, and a success in the modal.
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import {
  button,
  buttonMeta,
  events,
  expectModalClosed,
  expectOutcome,
  outcome,
} from '../../../.storybook/buttonStories';
import { STORY_USER } from '../../../.storybook/constants';
import {
  crash,
  pending,
  type RequestLog,
  SERVER_ERRORS,
  type ServerErrorCode,
  serverError,
} from '../../../.storybook/mocks';
import {
  consent,
  embedFrame,
  enterCode,
  hostedStep,
  logIn,
  popupSpy,
  simulatorConnections,
  WAIT,
} from '../../../.storybook/storyKit';
import { ConnectButton } from './ConnectButton';

// Request bodies the mocked session endpoint received in the current story (cleared before each run).
const requests: RequestLog = [];

const meta = {
  title: 'React/ConnectButton',
  component: ConnectButton,
  ...buttonMeta(requests),
} satisfies Meta<typeof ConnectButton>;

export default meta;
type Story = StoryObj<typeof meta>;

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
