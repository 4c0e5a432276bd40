import { ConnectButton, type LinkMode, type LinkOutcome } from '@oflink/react';
import { embed } from '@oflink/react/embed';
import { useState } from 'react';
import { useLoaderData } from 'react-router';
import { userId } from '../auth.server';

const MODES: readonly LinkMode[] = ['auto', 'popup', 'embed', 'redirect'];

export function loader({ request }: { request: Request }) {
  const asked = new URL(request.url).searchParams.get('mode');
  return { signedIn: userId(request) !== null, mode: MODES.find((m) => m === asked) ?? 'auto' };
}

export default function Home() {
  const { signedIn, mode } = useLoaderData<typeof loader>();
  const [outcome, setOutcome] = useState<LinkOutcome | null>(null);
  if (!signedIn) return <a href="/api/sign-in">Sign in</a>;
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
