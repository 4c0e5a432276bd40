// The app's callback page (its `redirectUrl`) for popup stories, served by the dev server at
// /__oflink-sim/callback (simulatorPlugin.ts). In the popup it relays the outcome to the story
// window and closes itself, as a real app's callback page does.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useLinkCallback } from '../packages/react/src/index';

function Callback() {
  const { outcome, relayed } = useLinkCallback();
  return (
    <main data-testid="callback" data-status={outcome?.status ?? 'pending'} data-relayed={String(relayed)}>
      {!outcome
        ? 'Finishing…'
        : relayed
          ? 'Done. You can close this window.'
          : `Link ended: ${outcome.status}.`}
    </main>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <Callback />
    </StrictMode>,
  );
