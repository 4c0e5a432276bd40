import {
  ConnectButton,
  type ConnectionView,
  connectionsQueryKey,
  type LinkOutcome,
  useConnections,
} from '@oflink/react';
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

type Report = (outcome: LinkOutcome, origin: Origin) => void;

/** The outcome callbacks of a ConnectButton: both go to the page's outcome card. */
const handlers = (report: Report, origin: Origin) => ({
  onSuccess: (o: LinkOutcome) => report(o, origin),
  onExit: (o: LinkOutcome) => report(o, origin),
});

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
          <ModesPanel report={report} />
          <ReconnectPanel report={report} />
        </div>
        <aside className="stack">
          <OutcomePanel outcome={outcome} clear={clear} />
          {info.data?.backend === 'simulator' ? <SandboxAccounts /> : null}
        </aside>
      </div>
    </>
  );
}

/** One ConnectButton per way of showing Link. */
function ModesPanel({ report }: { report: Report }) {
  return (
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
              {...handlers(report, m.mode)}
            >
              {m.label}
            </ConnectButton>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Reconnect: pick one of the user's connections and sign in again, keeping its id. */
function ReconnectPanel({ report }: { report: Report }) {
  const connections = useConnections();
  const mine = connections.connections;
  const [picked, setPicked] = useState('');
  const selected = mine.some((c) => c.id === picked) ? picked : (mine[0]?.id ?? '');
  return (
    <section aria-labelledby="reconnect-title" className="panel">
      <div className="panel-head">
        <h2 id="reconnect-title">Reconnect an account</h2>
        <p className="muted">
          When OnlyFans signs you out (a password change, an expired session), sign in again to keep the same
          connection.
        </p>
      </div>
      {mine.length === 0 ? (
        <p className="empty">
          {connections.status === 'pending' ? 'Loading your connections…' : 'Connect an account first.'}
        </p>
      ) : (
        <div className="reconnect">
          <ConnectionPicker connections={mine} selected={selected} onPick={setPicked} />
          {selected ? (
            <ConnectButton
              key={selected}
              mode="auto"
              connectionId={selected}
              data-action="reconnect"
              data-connection-id={selected}
              className="button button-secondary"
              returnTo="/"
              {...handlers(report, 'reconnect')}
            >
              Reconnect
            </ConnectButton>
          ) : null}
        </div>
      )}
    </section>
  );
}

/** The user's connections, by name when their profile is known. */
function ConnectionPicker(props: {
  connections: ConnectionView[];
  selected: string;
  onPick: (id: string) => void;
}) {
  return (
    <label className="field">
      <span>Connection</span>
      <select
        name="connectionId"
        value={props.selected}
        onChange={(e) => props.onPick(e.currentTarget.value)}
      >
        {props.connections.map((c) => (
          <option key={c.id} value={c.id}>
            {c.userData ? `${c.userData.name ?? c.userData.username} (@${c.userData.username})` : c.id} ·{' '}
            {c.status}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The latest outcome once the server verified it, or what to do first. */
function OutcomePanel({ outcome, clear }: { outcome: ShownOutcome | null; clear: () => void }) {
  if (!outcome)
    return (
      <section className="outcome outcome-idle" data-testid="outcome-idle">
        <h2>No account connected yet</h2>
        <p className="muted">Pick a way to sign in. The result appears here once our server verified it.</p>
      </section>
    );
  const confirmed = outcome.status === 'success' && outcome.confirm === 'ok';
  return (
    <OutcomeCard
      outcome={outcome}
      actions={
        confirmed ? (
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
  );
}

/** The simulator's sandbox sign-ins. */
function SandboxAccounts() {
  return (
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
  );
}
