// Internal: between database rows and the stored-connection shape, and the statements' parameters.
import { createHash } from 'node:crypto';
import {
  type Connection,
  MESSAGE_ID_MAX,
  type OnlyFansUser,
  printable,
  type StoredConnection,
} from '@oflink/protocol';
import type { ConnectionChange } from '@oflink/server';

/** A row of `oflink_connections` as both drivers return it (timestamps as Date, jsonb parsed). */
export interface ConnectionRow {
  id: string;
  client_reference_id: string | null;
  status: string;
  user_data: OnlyFansUser | null;
  permissions: string[] | null;
  created_at: Date | null;
  changed_at: Date;
  last_event: StoredConnection['lastEvent'];
  live: boolean | null;
}

export function toStored(row: ConnectionRow): StoredConnection {
  return {
    id: row.id,
    status: row.status,
    userData: row.user_data,
    permissions: row.permissions ?? [],
    clientReferenceId: row.client_reference_id,
    createdAt: row.created_at ? row.created_at.toISOString() : null,
    updatedAt: row.changed_at.toISOString(),
    lastEvent: row.last_event,
    live: row.live,
  };
}

/** An ISO time as a Date, or `fallback` when it is missing or not a time. */
export function timeOf(value: string | undefined | null, fallback: Date): Date {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms) : fallback;
}

/** The parameters of the record statement: a confirmed connection, owned by `clientReferenceId`. */
export function recordParams(clientReferenceId: string, c: Connection, live: boolean | null): unknown[] {
  return [
    c.id,
    clientReferenceId,
    c.status,
    JSON.stringify(c.userData ?? null),
    JSON.stringify(c.permissions ?? []),
    timeOf(c.createdAt, new Date()),
    timeOf(c.updatedAt, new Date()),
    live,
  ];
}

/** The parameters of the change statement; what an event did not carry is null (kept, or filled later). */
export function changeParams(change: ConnectionChange): unknown[] {
  const c = change.connection;
  const status = change.type === 'connection.disconnected' ? 'disconnected' : c.status;
  const erased = status === 'disconnected';
  // an empty string names nobody
  const owner = change.clientReferenceId || c.clientReferenceId || null;
  return [
    c.id,
    owner,
    status,
    !erased && c.userData ? JSON.stringify(c.userData) : null,
    !erased && c.permissions ? JSON.stringify(c.permissions) : null,
    c.createdAt ? timeOf(c.createdAt, new Date()) : null,
    timeOf(change.timestamp, new Date()),
    change.type,
    change.live,
  ];
}

/**
 * The key a message id is kept under: the id itself, or for an id too long or not printable (it
 * is signed, so it is authentic, but it must not make the row unstorable) its SHA-256.
 */
export function messageKey(messageId: string): string {
  return printable(messageId, MESSAGE_ID_MAX) === messageId
    ? messageId
    : `sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}
