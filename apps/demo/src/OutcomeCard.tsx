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

/** What the tests and styles read off a card: the outcome's status, connection, step or code. */
function dataAttributes(outcome: ShownOutcome) {
  const success = outcome.status === 'success' ? outcome : null;
  const cancelled = outcome.status === 'cancelled' ? outcome : null;
  const failedConfirm = success?.confirm === 'failed' ? success.code : undefined;
  return {
    'data-status': outcome.status,
    'data-confirmed': String(success?.confirm === 'ok'),
    'data-connection-id': success?.connectionId,
    'data-step': cancelled?.step,
    'data-reason': cancelled?.reason,
    'data-error-code': outcome.status === 'error' ? outcome.code : failedConfirm,
  };
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
  return (
    <section
      className={`outcome outcome-${tone}`}
      data-testid="outcome"
      {...dataAttributes(outcome)}
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
  if (outcome.status === 'error')
    return (
      <FailureCard outcome={outcome} {...describeError(outcome)} actions={actions}>
        Error code <code>{outcome.code}</code>
      </FailureCard>
    );
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
  if (outcome.confirm === 'failed')
    return (
      <FailureCard outcome={outcome} {...describeConfirmError(outcome.code)} actions={actions}>
        Error code <code>{outcome.code}</code> · connection <code>{outcome.connectionId}</code>
      </FailureCard>
    );
  return <VerifiedCard outcome={outcome} actions={actions} />;
}

/** An attempt that failed, or a success the server refused: what happened, then the codes. */
function FailureCard({
  outcome,
  title,
  text,
  actions,
  children,
}: {
  outcome: ShownOutcome;
  title: string;
  text: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card outcome={outcome} tone="danger" title={title} footer={actions}>
      <p>{text}</p>
      <p className="muted small">{children}</p>
    </Card>
  );
}

type Confirmed = Extract<ShownOutcome, { status: 'success'; confirm: 'ok' }>;

/** A success the server confirmed: the account, by name. */
function VerifiedCard({ outcome, actions }: { outcome: Confirmed; actions?: ReactNode }) {
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
