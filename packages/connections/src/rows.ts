// Internal: between database rows and the stored-connection shape.
import type { Connection, ConnectionChange, OnlyFansUser, StoredConnection } from '@oflink/protocol';

/** A row of `oflink_connections` as both drivers return it (timestamps as Date, jsonb parsed). */
export interface ConnectionRow {
  id: string;
  client_reference_id: string | null;
  status: string;
  user_data: OnlyFansUser | null;
  permissions: string[];
  created_at: Date | null;
  changed_at: Date;
  last_event: StoredConnection['lastEvent'];
}

export function toStored(row: ConnectionRow): StoredConnection {
  return {
    id: row.id,
    status: row.status,
    userData: row.user_data,
    permissions: row.permissions,
    clientReferenceId: row.client_reference_id,
    createdAt: row.created_at ? row.created_at.toISOString() : null,
    updatedAt: row.changed_at.toISOString(),
    lastEvent: row.last_event,
  };
}

/** An ISO time as a Date, or `fallback` when it is missing or not a time. */
export function timeOf(value: string | undefined | null, fallback: Date): Date {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms) : fallback;
}

/** The parameters of the record statement: a confirmed connection, owned by `clientReferenceId`. */
export function recordParams(clientReferenceId: string, c: Connection): unknown[] {
  return [
    c.id,
    clientReferenceId,
    c.status,
    JSON.stringify(c.userData ?? null),
    JSON.stringify(c.permissions ?? []),
    timeOf(c.createdAt, new Date()),
    timeOf(c.updatedAt, new Date()),
  ];
}

/** The parameters of the change statement; fields an event did not carry are null and kept. */
export function changeParams(change: ConnectionChange): unknown[] {
  const c = change.connection;
  const owner = change.clientReferenceId ?? c.clientReferenceId ?? null;
  return [
    c.id,
    owner,
    change.type === 'connection.disconnected' ? 'disconnected' : c.status,
    c.userData ? JSON.stringify(c.userData) : null,
    c.permissions ? JSON.stringify(c.permissions) : null,
    c.createdAt ? timeOf(c.createdAt, new Date()) : null,
    timeOf(change.timestamp, new Date()),
    change.type,
  ];
}
