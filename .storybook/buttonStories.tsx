// What the ConnectButton story files share: the stories' default args (embed mode, every callback a
// spy), their controls, the page around the button, the session endpoint mocked with the simulator,
// and the checks their play functions make.
import type { Meta } from '@storybook/react-vite';
import { expect, fn, waitFor, within } from 'storybook/test';
import type { ConnectButton } from '../packages/react/src/ConnectButton';
import { embed } from '../packages/react/src/embed';
import { type RequestLog, simulatorSession } from './mocks';
import { Flow, WAIT } from './storyKit';

/**
 * Every field of a ConnectButton story file's meta but its title and component; `requests` gets the
 * bodies the mocked session endpoint receives in the current story.
 */
export const buttonMeta = (requests: RequestLog) =>
  ({
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
  }) satisfies Omit<Meta<typeof ConnectButton>, 'title' | 'component'>;

export const button = (canvasElement: HTMLElement) =>
  within(canvasElement).getByRole('button', { name: /connect/i });
export const outcome = (canvasElement: HTMLElement) => within(canvasElement).getByTestId('outcome');
export const events = (canvasElement: HTMLElement) =>
  [...within(canvasElement).getByTestId('events').querySelectorAll('li')].map((li) => li.textContent);

export async function expectOutcome(canvasElement: HTMLElement, attributes: Record<string, string>) {
  await waitFor(() => {
    const out = outcome(canvasElement);
    for (const [name, value] of Object.entries(attributes)) expect(out).toHaveAttribute(name, value);
  }, WAIT);
}

/** The modal is gone and focus is back on the button. */
export async function expectModalClosed(canvasElement: HTMLElement) {
  await waitFor(() => {
    expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
    expect(button(canvasElement)).toHaveFocus();
  }, WAIT);
}
