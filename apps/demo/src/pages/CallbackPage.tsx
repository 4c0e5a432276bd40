import { connectionsQueryKey, useLinkCallback } from '@oflink/react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { OutcomeCard } from '../OutcomeCard';
import { rememberOutcome, useOutcome } from '../outcome';
import { Link } from '../router';

/**
 * `/callback`, the redirectUrl. In a pop-up, useLinkCallback relays the result to the opener and
 * closes the window. After a full-page redirect it shows the result, confirms a success on the
 * server, and links back to where the person started.
 */
export function CallbackPage() {
  const queryClient = useQueryClient();
  // Read before useLinkCallback strips them. Without any Link parameter this is a revisit (the back
  // button, a bookmark) of a callback already handled: nothing to finish, and nothing went wrong.
  const [revisit] = useState(() => !new URLSearchParams(window.location.search).has('status'));
  const { outcome, report } = useOutcome({
    onSettled: (o) => {
      rememberOutcome(o);
      if (o.status === 'success') void queryClient.invalidateQueries({ queryKey: connectionsQueryKey() });
    },
  });
  const callback = useLinkCallback({
    onResult: (r) => {
      if (!r.relayed && !revisit) report(r.outcome, 'redirect');
    },
  });
  const back = callback.returnTo ?? '/';

  if (revisit && !callback.relayed) return <AlreadyHandled />;
  if (!callback.outcome) return <Finishing />;
  if (callback.relayed) return <Relayed />;
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

/** Until the callback's parameters are read (and, in a pop-up, relayed). */
function Finishing() {
  return (
    <section className="panel centered" data-testid="callback-pending">
      <span className="spinner" aria-hidden="true" /> Finishing sign-in…
    </section>
  );
}

/** A revisit of a callback already handled (the back button, a bookmark): nothing went wrong. */
function AlreadyHandled() {
  return (
    <section className="panel centered outcome-idle" data-testid="outcome-idle">
      <h1>Nothing to finish here</h1>
      <p className="muted">This sign-in was already handled. Your accounts are on the Connect page.</p>
      <Link href="/" className="button button-primary" data-testid="return">
        Back to Connect
      </Link>
    </section>
  );
}

/** In a pop-up: the outcome went to the page that opened it, and this window closes. */
function Relayed() {
  return (
    <section className="panel centered" data-testid="callback-relayed">
      <h1>All done</h1>
      <p className="muted">You can close this window and go back to Northlight.</p>
    </section>
  );
}
