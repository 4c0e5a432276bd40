import {
  ConnectButton,
  type ConnectionView,
  connectionsQueryKey,
  type LinkOutcome,
  type UseConnectionsResult,
  useConnections,
} from '@oflink/react';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar } from '../OutcomeCard';
import { useOutcome } from '../outcome';
import { Link } from '../router';

const STATUS_LABEL: Record<string, string> = {
  active: 'Active',
  expired: 'Signed out',
  awaiting_2fa: 'Waiting for code',
};

const EVENT_LABEL: Record<string, string> = {
  'connection.created': 'created',
  'connection.updated': 'updated',
  'connection.expired': 'expired',
  'connection.disconnected': 'disconnected',
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function ConnectionRow({ c, onDisconnect, onReconnect }: { c: ConnectionView } & RowActions) {
  const name = c.userData ? (c.userData.name ?? c.userData.username) : 'OnlyFans account';
  return (
    <li className="connection" data-connection-id={c.id} data-status={c.status} aria-busy={c.disconnecting}>
      <Avatar user={c.userData} size={44} />
      <div className="connection-main">
        <div className="account-name">{name}</div>
        <div className="muted small">
          {c.userData ? `@${c.userData.username} · ` : null}
          <code>{c.id}</code>
        </div>
      </div>
      <ConnectionMeta c={c} />
      <span className={`badge badge-${c.status === 'active' ? 'ok' : 'warn'}`}>
        {c.disconnecting ? 'Disconnecting…' : (STATUS_LABEL[c.status] ?? c.status)}
      </span>
      <ConnectionActions c={c} onDisconnect={onDisconnect} onReconnect={onReconnect} />
    </li>
  );
}

/** When the record last changed, and whether a signed webhook or the confirmation wrote it. */
function ConnectionMeta({ c }: { c: ConnectionView }) {
  return (
    <div className="connection-meta small muted">
      <div>Updated {dateFormat.format(new Date(c.updatedAt))}</div>
      <div>
        {c.lastEvent ? (
          <span title="Received and verified from a signed OFAuth webhook">
            Webhook: {EVENT_LABEL[c.lastEvent] ?? c.lastEvent}
          </span>
        ) : (
          <span title="Confirmed by the server with OFAuth">Confirmed</span>
        )}
      </div>
    </div>
  );
}

type RowActions = { onDisconnect: (id: string) => void; onReconnect: (o: LinkOutcome) => void };

/** Reconnect (when OnlyFans signed the account out) and Disconnect. */
function ConnectionActions({ c, onDisconnect, onReconnect }: { c: ConnectionView } & RowActions) {
  return (
    <div className="connection-actions">
      {c.needsReconnect ? (
        <ConnectButton
          mode="auto"
          connectionId={c.id}
          returnTo="/connections"
          data-action="reconnect"
          className="button button-primary"
          disabled={c.disconnecting}
          onSuccess={onReconnect}
          onExit={onReconnect}
        >
          Reconnect
        </ConnectButton>
      ) : null}
      <button
        type="button"
        className="button button-ghost"
        data-action="disconnect"
        disabled={c.disconnecting}
        onClick={() => onDisconnect(c.id)}
      >
        Disconnect
      </button>
    </div>
  );
}

/** The list's state in words: failing, refreshing, or how many accounts. */
function statusText(list: UseConnectionsResult): string {
  const count = list.connections.length;
  if (list.error) return `Could not load the list (${list.error.code}); retrying…`;
  if (list.isFetching) return 'Refreshing…';
  return `${count} ${count === 1 ? 'account' : 'accounts'}`;
}

/** `/connections`: what the server records, kept current by OFAuth's signed webhooks. */
export function ConnectionsPage() {
  const list = useConnections({ refetchInterval: 2000 });
  // a reconnect is confirmed on the server like a first connect; the list refreshes after it
  const queryClient = useQueryClient();
  const { outcome, report } = useOutcome({
    onSettled: (o) => {
      if (o.status === 'success') void queryClient.invalidateQueries({ queryKey: connectionsQueryKey() });
    },
  });
  return (
    <div className="stack">
      <section className="hero hero-small">
        <h1>Connections</h1>
        <p className="lead">
          Accounts you connected. The server records them when it confirms them and keeps them current from
          OFAuth's signed webhooks; this page refreshes every couple of seconds.
        </p>
      </section>
      <section className="panel" aria-labelledby="list-title">
        <div className="panel-head row">
          <h2 id="list-title">Your accounts</h2>
          <span className="muted small" data-testid="connections-status">
            {statusText(list)}
          </span>
        </div>
        {list.disconnectError ? (
          <p className="notice notice-danger" role="alert" data-testid="disconnect-error">
            The account was not disconnected: {list.disconnectError.message}
          </p>
        ) : null}
        {outcome?.status === 'success' && outcome.confirm === 'failed' ? (
          <p className="notice notice-danger" role="alert">
            The reconnect was not confirmed: {outcome.message}
          </p>
        ) : null}
        <ConnectionList list={list} onReconnect={(o) => report(o, 'reconnect')} />
      </section>
    </div>
  );
}

/** The accounts, or what to do when there are none yet. */
function ConnectionList({
  list,
  onReconnect,
}: {
  list: UseConnectionsResult;
  onReconnect: RowActions['onReconnect'];
}) {
  if (list.status === 'pending') return <p className="empty">Loading…</p>;
  if (list.connections.length === 0)
    return (
      <div className="empty" data-testid="connections-empty">
        <p>No accounts yet.</p>
        <Link href="/" className="button button-primary">
          Connect an account
        </Link>
      </div>
    );
  return (
    <ul className="connections" data-testid="connections">
      {list.connections.map((c) => (
        <ConnectionRow
          key={c.id}
          c={c}
          onDisconnect={(id) => void list.disconnect(id)}
          onReconnect={onReconnect}
        />
      ))}
    </ul>
  );
}
