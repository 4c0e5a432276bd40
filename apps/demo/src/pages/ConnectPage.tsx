import { ConnectButton, connectionsQueryKey, type LinkOutcome, useConnections } from '@oflink/react';
import { embed } from '@oflink/react/embed';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { demoInfo } from '../api';
import { OutcomeCard } from '../OutcomeCard';
import { type Origin, type ShownOutcome, useOutcome } from '../outcome';
import { Link } from '../router';

const MODES: { mode: Exclude<Origin, 'reconnect'>; title: string; text: string; label: string }[] = [
  {
    mode: 'popup',
    title: 'Pop-up window',
    text: 'Sign in to OnlyFans in a small window; this page stays where it is.',
    label: 'Connect in a pop-up',
  },
  {
    mode: 'embed',
    title: 'Embedded',
    text: 'Sign in without leaving the page, in a secure frame on top of it.',
    label: 'Connect here',
  },
  {
    mode: 'redirect',
    title: 'Full-page redirect',
    text: 'Go to the OnlyFans sign-in page and come back here when it is done.',
    label: 'Continue to sign-in',
  },
  {
    mode: 'auto',
    title: 'Automatic',
    text: 'A pop-up on large screens, a full-page redirect on phones or when pop-ups are blocked.',
    label: 'Connect OnlyFans',
  },
];

/** `/`: one ConnectButton per mode, a reconnect action, and the latest confirmed outcome. */
export function ConnectPage() {
  const queryClient = useQueryClient();
  const { outcome, report, clear } = useOutcome({
    recall: true,
    onSettled: (o: ShownOutcome) => {
      // the confirmation recorded the connection on the server: the lists show it now
      if (o.status === 'success') void queryClient.invalidateQueries({ queryKey: connectionsQueryKey() });
    },
  });
  const info = useQuery({ queryKey: ['demo', 'info'], queryFn: demoInfo, staleTime: Infinity });
  const connections = useConnections();
  const mine = connections.connections;
  const [picked, setPicked] = useState('');
  const selected = mine.some((c) => c.id === picked) ? picked : (mine[0]?.id ?? '');

  const handlers = (origin: Origin) => ({
    onSuccess: (o: LinkOutcome) => report(o, origin),
    onExit: (o: LinkOutcome) => report(o, origin),
  });

  return (
    <>
      <section className="hero">
        <p className="eyebrow">Account setup</p>
        <h1>Connect your OnlyFans account</h1>
        <p className="lead">
          Northlight reads your earnings and subscriber stats so you can see how your page is doing. You sign
          in on OnlyFans through OFAuth: we never see your password.
        </p>
      </section>

      <div className="layout">
        <div className="stack">
          <section aria-labelledby="modes-title" className="panel">
            <div className="panel-head">
              <h2 id="modes-title">Choose how to sign in</h2>
              <p className="muted">Each button runs the same secure flow, shown a different way.</p>
            </div>
            <ul className="modes">
              {MODES.map((m) => (
                <li key={m.mode} className="mode">
                  <div>
                    <h3>{m.title}</h3>
                    <p className="muted">{m.text}</p>
                  </div>
                  <ConnectButton
                    mode={m.mode}
                    embed={embed}
                    data-mode={m.mode}
                    className="button button-primary"
                    returnTo="/"
                    {...handlers(m.mode)}
                  >
                    {m.label}
                  </ConnectButton>
                </li>
              ))}
            </ul>
          </section>

          <section aria-labelledby="reconnect-title" className="panel">
            <div className="panel-head">
              <h2 id="reconnect-title">Reconnect an account</h2>
              <p className="muted">
                When OnlyFans signs you out (a password change, an expired session), sign in again to keep the
                same connection.
              </p>
            </div>
            {mine.length === 0 ? (
              <p className="empty">
                {connections.status === 'pending' ? 'Loading your connections…' : 'Connect an account first.'}
              </p>
            ) : (
              <div className="reconnect">
                <label className="field">
                  <span>Connection</span>
                  <select
                    name="connectionId"
                    value={selected}
                    onChange={(e) => setPicked(e.currentTarget.value)}
                  >
                    {mine.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.userData
                          ? `${c.userData.name ?? c.userData.username} (@${c.userData.username})`
                          : c.id}{' '}
                        · {c.status}
                      </option>
                    ))}
                  </select>
                </label>
                {selected ? (
                  <ConnectButton
                    key={selected}
                    mode="auto"
                    connectionId={selected}
                    data-action="reconnect"
                    data-connection-id={selected}
                    className="button button-secondary"
                    returnTo="/"
                    {...handlers('reconnect')}
                  >
                    Reconnect
                  </ConnectButton>
                ) : null}
              </div>
            )}
          </section>
        </div>

        <aside className="stack">
          {outcome ? (
            <OutcomeCard
              outcome={outcome}
              actions={
                outcome.status === 'success' && outcome.confirm === 'ok' ? (
                  <Link href="/connections" className="button button-ghost">
                    View connections
                  </Link>
                ) : (
                  <button type="button" className="button button-ghost" onClick={clear}>
                    Dismiss
                  </button>
                )
              }
            />
          ) : (
            <section className="outcome outcome-idle" data-testid="outcome-idle">
              <h2>No account connected yet</h2>
              <p className="muted">
                Pick a way to sign in. The result appears here once our server verified it.
              </p>
            </section>
          )}
          {info.data?.backend === 'simulator' ? (
            <section className="panel hint" aria-labelledby="sandbox-title">
              <h2 id="sandbox-title">Sandbox accounts</h2>
              <p className="muted small">
                This demo runs against the local OFAuth simulator. Sign in with any of these, password{' '}
                <code>good-password</code>, code <code>123456</code>:
              </p>
              <ul className="small">
                <li>
                  <code>you@creator.sandbox.com</code> creator
                </li>
                <li>
                  <code>you@creator-otp.sandbox.com</code> creator with a code
                </li>
                <li>
                  <code>you@fan.sandbox.com</code> fan
                </li>
                <li>
                  <code>you@locked.sandbox.com</code> locked account
                </li>
              </ul>
            </section>
          ) : null}
        </aside>
      </div>
    </>
  );
}
