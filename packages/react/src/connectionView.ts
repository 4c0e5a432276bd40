import { needsReconnect, type StoredConnection } from '@oflink/core/internal';

/**
 * A connection as `useConnections` lists it: the server's record, plus what a list needs to show.
 * @example
 * const label = (c: ConnectionView) => (c.needsReconnect ? 'Reconnect' : c.status);
 */
export interface ConnectionView extends StoredConnection {
  /** OnlyFans signed it out (`expired`) or waits for a code (`awaiting_2fa`): offer a reconnect. */
  needsReconnect: boolean;
  /** A `disconnect` of it is in flight. */
  disconnecting: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The list of a connections endpoint's answer, or null when the answer is not `{ connections }`. */
export function readConnections(body: unknown): ConnectionView[] | null {
  const list = isRecord(body) ? body.connections : undefined;
  if (!Array.isArray(list)) return null;
  const views: ConnectionView[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.status !== 'string') return null;
    const stored = item as unknown as StoredConnection;
    views.push({ ...stored, needsReconnect: needsReconnect(stored.status), disconnecting: false });
  }
  return views;
}
