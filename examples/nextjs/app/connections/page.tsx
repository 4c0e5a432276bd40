'use client';
import { ConnectButton, useConnections } from '@oflink/react';

export default function Connections() {
  const { connections, status, disconnect } = useConnections();
  if (status === 'pending') return <p>Loading…</p>;
  return (
    <ul aria-label="Your OnlyFans accounts">
      {connections.map((c) => (
        <li key={c.id} data-status={c.status}>
          @{c.userData?.username ?? c.id} · {c.status}
          {c.needsReconnect && (
            <ConnectButton connectionId={c.id} confirm>
              Reconnect
            </ConnectButton>
          )}
          <button type="button" disabled={c.disconnecting} onClick={() => void disconnect(c.id)}>
            Disconnect
          </button>
        </li>
      ))}
    </ul>
  );
}
