'use client';
import { ConnectButton, type LinkMode, type LinkOutcome } from '@oflink/react';
import { embed } from '@oflink/react/embed';
import { useState } from 'react';

export function ConnectOnlyFans({ mode }: { mode?: LinkMode }) {
  const [outcome, setOutcome] = useState<LinkOutcome | null>(null);
  return (
    <>
      <ConnectButton mode={mode} embed={embed} confirm onSuccess={setOutcome} onExit={setOutcome} />
      {outcome && (
        <p role="status" data-status={outcome.status}>
          {outcome.status === 'success' && `Connected ${outcome.connectionId}.`}
          {outcome.status === 'cancelled' && 'Not connected.'}
          {outcome.status === 'error' && `Could not connect: ${outcome.message}`}
        </p>
      )}
    </>
  );
}
