import { useLinkCallback } from '@oflink/react';
import { useQueryClient } from '@tanstack/react-query';
import { OutcomeCard } from '../OutcomeCard';
import { rememberOutcome, useOutcome } from '../outcome';
import { Link } from '../router';
import { CONNECTIONS_KEY } from './ConnectPage';

/**
 * `/callback`, the redirectUrl. In a pop-up, useLinkCallback relays the result to the opener and
 * closes the window. After a full-page redirect it shows the result, confirms a success on the
 * server, and links back to where the person started.
 */
export function CallbackPage() {
  const queryClient = useQueryClient();
  const { outcome, report } = useOutcome({
    onSettled: (o) => {
      rememberOutcome(o);
      if (o.status === 'success') void queryClient.invalidateQueries({ queryKey: CONNECTIONS_KEY });
    },
  });
  const callback = useLinkCallback({
    onResult: (r) => {
      if (!r.relayed) report(r.outcome, 'redirect');
    },
  });
  const back = callback.returnTo ?? '/';

  if (!callback.outcome) {
    return (
      <section className="panel centered" data-testid="callback-pending">
        <span className="spinner" aria-hidden="true" /> Finishing sign-in…
      </section>
    );
  }
  if (callback.relayed) {
    return (
      <section className="panel centered" data-testid="callback-relayed">
        <h1>All done</h1>
        <p className="muted">You can close this window and go back to Northlight.</p>
      </section>
    );
  }
  return (
    <div className="narrow stack">
      <h1>Sign-in result</h1>
      {outcome ? (
        <OutcomeCard
          outcome={outcome}
          actions={
            <Link href={back} className="button button-primary" data-testid="return">
              {outcome.status === 'success' && outcome.confirm === 'ok' ? 'Continue' : 'Back to Connect'}
            </Link>
          }
        />
      ) : null}
    </div>
  );
}
