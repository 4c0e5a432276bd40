import type { ReactNode } from 'react';
import type { DemoConnection } from './api';
import type { ShownOutcome } from './outcome';
import { describeCancel, describeConfirmError, describeError } from './outcomeText';

const ORIGIN_LABEL: Record<ShownOutcome['origin'], string> = {
  popup: 'Pop-up window',
  embed: 'Embedded',
  redirect: 'Full-page redirect',
  auto: 'Automatic',
  reconnect: 'Reconnect',
};

/** A round avatar, or the person's initials when OnlyFans has no picture. */
export function Avatar({ user, size = 48 }: { user: DemoConnection['userData'] | null; size?: number }) {
  const initials = (user?.name ?? user?.username ?? '')
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return user?.avatar ? (
    <img className="avatar" src={user.avatar} alt="" width={size} height={size} />
  ) : (
    <span className="avatar avatar-initials" style={{ width: size, height: size }} aria-hidden="true">
      {initials || '?'}
    </span>
  );
}

function Card({
  outcome,
  tone,
  title,
  children,
  footer,
}: {
  outcome: ShownOutcome;
  tone: 'success' | 'neutral' | 'danger' | 'pending';
  title: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const connectionId = outcome.status === 'success' ? outcome.connectionId : undefined;
  const confirmed = outcome.status === 'success' && outcome.confirm === 'ok';
  return (
    <section
      className={`outcome outcome-${tone}`}
      data-testid="outcome"
      data-status={outcome.status}
      data-confirmed={String(confirmed)}
      data-connection-id={connectionId}
      data-step={outcome.status === 'cancelled' ? outcome.step : undefined}
      data-reason={outcome.status === 'cancelled' ? outcome.reason : undefined}
      data-error-code={
        outcome.status === 'error'
          ? outcome.code
          : outcome.status === 'success' && outcome.confirm === 'failed'
            ? outcome.code
            : undefined
      }
      aria-live="polite"
      aria-busy={outcome.status === 'success' && outcome.confirm === 'pending'}
    >
      <div className="outcome-head">
        <h2>{title}</h2>
        <span className="pill">{ORIGIN_LABEL[outcome.origin]}</span>
      </div>
      {children}
      {footer ? <div className="outcome-footer">{footer}</div> : null}
    </section>
  );
}

/** The latest outcome, in plain words, with the account only once the server confirmed it. */
export function OutcomeCard({ outcome, actions }: { outcome: ShownOutcome; actions?: ReactNode }) {
  if (outcome.status === 'cancelled') {
    const { title, text } = describeCancel(outcome);
    return (
      <Card outcome={outcome} tone="neutral" title={title} footer={actions}>
        <p>{text}</p>
      </Card>
    );
  }
  if (outcome.status === 'error') {
    const { title, text } = describeError(outcome);
    return (
      <Card outcome={outcome} tone="danger" title={title} footer={actions}>
        <p>{text}</p>
        <p className="muted small">
          Error code <code>{outcome.code}</code>
        </p>
      </Card>
    );
  }
  if (outcome.confirm === 'pending') {
    return (
      <Card outcome={outcome} tone="pending" title="Checking the connection…">
        <p>
          <span className="spinner" aria-hidden="true" /> OnlyFans reported success. Our server is confirming
          the connection with OFAuth before we show it.
        </p>
      </Card>
    );
  }
  if (outcome.confirm === 'failed') {
    const { title, text } = describeConfirmError(outcome.code);
    return (
      <Card outcome={outcome} tone="danger" title={title} footer={actions}>
        <p>{text}</p>
        <p className="muted small">
          Error code <code>{outcome.code}</code> · connection <code>{outcome.connectionId}</code>
        </p>
      </Card>
    );
  }
  const { connection } = outcome;
  return (
    <Card
      outcome={outcome}
      tone="success"
      title={outcome.origin === 'reconnect' ? 'Account reconnected' : 'Account connected'}
      footer={actions}
    >
      <div className="account">
        <Avatar user={connection.userData} size={56} />
        <div>
          <div className="account-name" data-testid="account-name">
            {connection.userData.name ?? connection.userData.username}
          </div>
          <div className="muted" data-testid="account-username">
            @{connection.userData.username}
          </div>
        </div>
        <span className="badge badge-ok" title="Confirmed by the server with OFAuth">
          ✓ Verified
        </span>
      </div>
      <p className="muted small">
        Connection <code>{connection.id}</code> · confirmed by the server, not just reported by the browser.
      </p>
    </Card>
  );
}
