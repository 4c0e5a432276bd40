import { ConnectButton } from '@oflink/react';
import { embed } from '@oflink/react/embed';
import { useState } from 'react';

export function ConnectOnlyFans({ mode }) {
  const [outcome, setOutcome] = useState(null);
  return (
    <main>
      <h1>Connect your OnlyFans account</h1>
      <ConnectButton mode={mode} embed={embed} confirm onSuccess={setOutcome} onExit={setOutcome} />
      {outcome && (
        <p role="status" data-status={outcome.status}>
          {outcome.status === 'success' && `Connected ${outcome.connectionId}.`}
          {outcome.status === 'cancelled' && 'Not connected.'}
          {outcome.status === 'error' && `Could not connect: ${outcome.message}`}
        </p>
      )}
      <a href="/connections">Your accounts</a>
    </main>
  );
}
