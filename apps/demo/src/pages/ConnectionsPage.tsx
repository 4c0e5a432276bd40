import { useQuery } from '@tanstack/react-query';
import { listConnections } from '../api';
import { Avatar } from '../OutcomeCard';
import { Link } from '../router';
import { CONNECTIONS_KEY } from './ConnectPage';

const STATUS_LABEL: Record<string, string> = {
  active: 'Active',
  expired: 'Needs reconnect',
  awaiting_2fa: 'Waiting for code',
  disconnected: 'Disconnected',
};

const EVENT_LABEL: Record<string, string> = {
  'connection.created': 'created',
  'connection.updated': 'updated',
  'connection.expired': 'expired',
  'connection.disconnected': 'disconnected',
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `/connections`: what the server knows, kept current by OFAuth's signed webhooks. */
export function ConnectionsPage() {
  const query = useQuery({
    queryKey: CONNECTIONS_KEY,
    queryFn: listConnections,
    refetchInterval: 2000,
    refetchOnWindowFocus: true,
  });
  const list = query.data?.connections ?? [];
  return (
    <div className="stack">
      <section className="hero hero-small">
        <h1>Connections</h1>
        <p className="lead">
          Accounts you connected. The server learns about them from OFAuth's signed webhooks and from its own
          confirmation; this page refreshes every couple of seconds.
        </p>
      </section>
      <section className="panel" aria-labelledby="list-title">
        <div className="panel-head row">
          <h2 id="list-title">Your accounts</h2>
          <span className="muted small" data-testid="connections-status">
            {query.isError
              ? 'Could not reach the server; retrying…'
              : query.isFetching
                ? 'Refreshing…'
                : `${list.length} ${list.length === 1 ? 'account' : 'accounts'}`}
          </span>
        </div>
        {query.isPending ? (
          <p className="empty">Loading…</p>
        ) : list.length === 0 ? (
          <div className="empty" data-testid="connections-empty">
            <p>No accounts yet.</p>
            <Link href="/" className="button button-primary">
              Connect an account
            </Link>
          </div>
        ) : (
          <ul className="connections" data-testid="connections">
            {list.map((c) => (
              <li key={c.id} className="connection" data-connection-id={c.id} data-status={c.status}>
                <Avatar user={c.userData} size={44} />
                <div className="connection-main">
                  <div className="account-name">{c.userData.name ?? c.userData.username}</div>
                  <div className="muted small">
                    @{c.userData.username} · <code>{c.id}</code>
                  </div>
                </div>
                <div className="connection-meta small muted">
                  <div>Updated {dateFormat.format(new Date(c.updatedAt))}</div>
                  <div>
                    {c.sources.includes('webhook') ? (
                      <span title="Received and verified from a signed OFAuth webhook">
                        Webhook{c.lastEvent ? `: ${EVENT_LABEL[c.lastEvent] ?? c.lastEvent}` : ''}
                      </span>
                    ) : null}
                    {c.sources.length === 2 ? ' · ' : null}
                    {c.sources.includes('confirmed') ? <span>Confirmed</span> : null}
                  </div>
                </div>
                <span className={`badge badge-${c.status === 'active' ? 'ok' : 'warn'}`}>
                  {STATUS_LABEL[c.status] ?? c.status}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
