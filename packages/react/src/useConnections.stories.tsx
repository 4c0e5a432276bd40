import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { RECONNECT_CONNECTION_ID } from '../../../.storybook/constants';
import { connectionsEndpoint, simulatorSession, storedConnection } from '../../../.storybook/mocks';
import { WAIT } from '../../../.storybook/storyKit';
import { ConnectButton } from './ConnectButton';
import { type UseConnectionsOptions, useConnections } from './useConnections';

/** A connections list as an app writes it with `useConnections`: reconnect where needed, disconnect each. */
function ConnectionsList(options: UseConnectionsOptions) {
  const { connections, status, error, disconnect, disconnectError } = useConnections(options);
  if (status === 'pending') return <p>Loading…</p>;
  return (
    <section className="oflink-card" aria-label="Connections">
      {error ? (
        <p role="alert" data-testid="list-error" data-code={error.code}>
          Could not load your accounts ({error.code}).
        </p>
      ) : null}
      {disconnectError ? (
        <p role="alert" data-testid="disconnect-error" data-code={disconnectError.code}>
          Not disconnected: {disconnectError.message}
        </p>
      ) : null}
      {connections.length === 0 && !error ? <p data-testid="empty">No accounts connected yet.</p> : null}
      <ul>
        {connections.map((c) => (
          <li key={c.id} data-connection-id={c.id} data-status={c.status} aria-busy={c.disconnecting}>
            <strong>@{c.userData?.username ?? c.id}</strong>{' '}
            <span data-testid="state">{c.disconnecting ? 'Disconnecting…' : c.status}</span>{' '}
            {c.needsReconnect ? (
              <ConnectButton mode="popup" connectionId={c.id} data-action="reconnect">
                Reconnect
              </ConnectButton>
            ) : null}{' '}
            <button type="button" disabled={c.disconnecting} onClick={() => void disconnect(c.id)}>
              Disconnect
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const meta = {
  title: 'React/useConnections',
  component: ConnectionsList,
  args: { onError: fn() },
  parameters: {
    msw: {
      handlers: {
        session: simulatorSession(),
        connections: connectionsEndpoint([storedConnection('conn_story_active', 'active', 'ada')]),
      },
    },
    docs: {
      description: {
        component:
          "The signed-in user's connections from the app's connections endpoint (mocked here with MSW, " +
          'answering as `createConnectionsHandler` does): `needsReconnect` offers a reconnect with the ' +
          'same `connectionId`; `disconnect` marks the row at once and rolls back on a failure.',
      },
    },
  },
} satisfies Meta<typeof ConnectionsList>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nobody connected an account yet. */
export const Empty: Story = {
  parameters: { msw: { handlers: { connections: connectionsEndpoint([]) } } },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByTestId('empty', {}, WAIT);
  },
};

/** One active connection: no reconnect offered. */
export const Active: Story = {
  play: async ({ canvasElement }) => {
    const row = await waitFor(() => {
      const li = canvasElement.querySelector('[data-connection-id="conn_story_active"]');
      if (!li) throw new Error('not listed yet');
      return li as HTMLElement;
    }, WAIT);
    await expect(row.dataset.status).toBe('active');
    await expect(within(row).queryByRole('button', { name: 'Reconnect' })).toBeNull();
  },
};

/** OnlyFans signed the account out: the row offers a reconnect of the same connection. */
export const ExpiredReconnect: Story = {
  parameters: {
    msw: {
      handlers: {
        connections: connectionsEndpoint([
          storedConnection(RECONNECT_CONNECTION_ID, 'expired', 'maya'),
          storedConnection('conn_story_active', 'active', 'ada', 60),
        ]),
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const reconnect = await canvas.findByRole('button', { name: 'Reconnect' }, WAIT);
    await expect(reconnect.closest('li')?.dataset.connectionId).toBe(RECONNECT_CONNECTION_ID);
    await expect(canvas.getAllByRole('button', { name: 'Reconnect' })).toHaveLength(1);
  },
};

/** A disconnect in flight: the row is marked at once, before the server answers. */
export const Disconnecting: Story = {
  parameters: {
    msw: {
      handlers: {
        connections: connectionsEndpoint([storedConnection('conn_story_active', 'active', 'ada')], {
          holdDelete: true,
        }),
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect' }, WAIT));
    await waitFor(() => expect(canvas.getByTestId('state').textContent).toBe('Disconnecting…'), WAIT);
    await expect(canvas.getByRole('button', { name: 'Disconnect' })).toBeDisabled();
  },
};

/** OFAuth refused the disconnect: the row comes back and the typed error is shown. */
export const DisconnectFails: Story = {
  parameters: {
    msw: {
      handlers: {
        connections: connectionsEndpoint([storedConnection('conn_story_active', 'active', 'ada')], {
          failDelete: 'upstream_unavailable',
        }),
      },
    },
  },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect' }, WAIT));
    const alert = await canvas.findByTestId('disconnect-error', {}, WAIT);
    await expect(alert.dataset.code).toBe('upstream_unavailable');
    await expect(canvas.getByTestId('state').textContent).toBe('active');
    await expect(args.onError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'upstream_unavailable' }),
    );
  },
};

/** The app's connection store is down: the list reports `store_unavailable`. */
export const ListError: Story = {
  parameters: {
    msw: { handlers: { connections: connectionsEndpoint([], { failList: 'store_unavailable' }) } },
  },
  play: async ({ canvasElement }) => {
    const alert = await within(canvasElement).findByTestId('list-error', {}, { timeout: 15_000 });
    await expect(alert.dataset.code).toBe('store_unavailable');
  },
};
