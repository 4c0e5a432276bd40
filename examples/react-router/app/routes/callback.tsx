import { useLinkCallback } from '@oflink/react';

export default function Callback() {
  const { outcome, returnTo, confirming } = useLinkCallback({ confirm: true });
  if (confirming || !outcome) return <p>Finishing…</p>;
  return (
    <a href={returnTo ?? '/'}>{outcome.status === 'success' ? 'Connected: continue' : 'Back to the app'}</a>
  );
}
