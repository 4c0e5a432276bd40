import type { ConnectionStatus } from './connection';
import { type OnlyFansUser, parseUser } from './user';
import { obj } from './values';

/** The `connection.*` event types (the docs list `disconnected`; the SDKs do not, so it may be rare). */
export const CONNECTION_EVENT_TYPES = [
  'connection.created',
  'connection.updated',
  'connection.expired',
  'connection.disconnected',
] as const;

/** One of {@link CONNECTION_EVENT_TYPES}. */
export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];

/** Every event type OFAuth publishes. */
export const WEBHOOK_EVENT_TYPES = [...CONNECTION_EVENT_TYPES, 'rules.updated'] as const;

/** The two published envelopes: the docs' `{type, timestamp, data}` and the SDKs' `{eventType, live, data}`. */
export type WebhookEnvelope<D = unknown> =
  | { type: string; timestamp: string; data: D }
  | { eventType: string; live: boolean; data: D };

/**
 * A webhook's connection in one normalized shape, whichever shape OFAuth sent: the SDKs'
 * `{id, platformUserId, status, userData?: {userId, …}, permissions?}` or the list endpoint's
 * connection object. `id` and `status` are always there; the rest is there when it was sent
 * (`connection.expired` carries only `id`, `platformUserId` and `status`).
 * @example
 * const label = (c: WebhookConnection) => `${c.userData?.username ?? c.platformUserId ?? c.id} (${c.status})`;
 */
export interface WebhookConnection {
  /** `conn_…` */
  id: string;
  /** Lifecycle state; unknown future states are passed through as strings. */
  status: ConnectionStatus | (string & {});
  /** The OnlyFans user id of the account, when sent (the SDK shape always has it). */
  platformUserId?: string;
  /** The OnlyFans account: the SDKs' `userData.userId` is `id` here, as in the list endpoint. */
  userData?: OnlyFansUser;
  /** Granted permissions. */
  permissions?: string[];
  /** ISO time the connection expired, or null (list shape only). */
  expiredAt?: string | null;
  /** ISO creation time (list shape only). */
  createdAt?: string;
  /** ISO time of the last change (list shape only). */
  updatedAt?: string;
  /** The app's own id for the end user (list shape only; the event's `data.clientReferenceId` is the reliable one). */
  clientReferenceId?: string | null;
  /** Whether the connection was imported rather than created through Link (list shape only). */
  imported?: boolean;
  /** ISO time of the last health check, or null (list shape only). */
  lastCheckedAt?: string | null;
}

/** `data` of `rules.updated`, as the SDKs type it; other fields are kept as sent. */
export interface RulesUpdatedData {
  /** The new rules, as sent. */
  rules?: unknown;
  /** The rules' revision. */
  revision?: number | string;
  [field: string]: unknown;
}

/** A webhook body read into one shape; the signature's id and time are the verifier's to add. */
export type WebhookPayload = { timestamp?: string; live?: boolean } & (
  | { type: ConnectionEventType; data: { connection: WebhookConnection; clientReferenceId: string | null } }
  | { type: 'rules.updated'; data: RulesUpdatedData }
  | { type: 'unknown'; unknownType: string; data: unknown }
);

/** Thrown inside this module and turned into `{ok: false}` by {@link readWebhookPayload}. */
class Invalid extends Error {}
const invalid = (message: string): never => {
  throw new Invalid(message);
};

const isStr = (v: unknown) => typeof v === 'string';
const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';
// Fields of the list shape: checked when present, passed through as sent.
const LIST_FIELDS: [string, (v: unknown) => boolean][] = [
  ['permissions', (v) => Array.isArray(v) && v.every(isStr)],
  ['expiredAt', isStrOrNull],
  ['createdAt', isStr],
  ['updatedAt', isStr],
  ['clientReferenceId', isStrOrNull],
  ['imported', (v) => typeof v === 'boolean'],
  ['lastCheckedAt', isStrOrNull],
];

function connection(value: unknown, where: string): WebhookConnection {
  const c = obj(value) ?? invalid(`${where} is not an object.`);
  if (typeof c.id !== 'string' || c.id === '') invalid(`${where}.id is not a non-empty string.`);
  if (typeof c.status !== 'string') invalid(`${where}.status is not a string.`);
  const out: WebhookConnection = { id: c.id as string, status: c.status as string };
  const platform = c.platformUserId;
  if (typeof platform === 'number' && Number.isSafeInteger(platform)) out.platformUserId = String(platform);
  else if (typeof platform === 'string' && platform !== '') out.platformUserId = platform;
  else if (platform !== undefined && platform !== null)
    invalid(`${where}.platformUserId has the wrong type.`);
  if (c.userData !== undefined && c.userData !== null) {
    out.userData = parseUser(c.userData) ?? invalid(`${where}.userData has the wrong type.`);
  }
  for (const [field, ok] of LIST_FIELDS) {
    if (c[field] === undefined) continue;
    if (!ok(c[field])) invalid(`${where}.${field} has the wrong type.`);
    (out as unknown as Record<string, unknown>)[field] = c[field];
  }
  return out;
}

function envelope(p: Record<string, unknown>): { kind: string; timestamp?: string; live?: boolean } {
  const { type, eventType } = p;
  if (type !== undefined && typeof type !== 'string') invalid('"type" is not a string.');
  if (eventType !== undefined && typeof eventType !== 'string') invalid('"eventType" is not a string.');
  if (type !== undefined && eventType !== undefined && type !== eventType)
    invalid('"type" and "eventType" disagree.');
  const kind =
    ((type ?? eventType) as string | undefined) ||
    invalid('The webhook body has neither "type" nor "eventType".');
  const out: { kind: string; timestamp?: string; live?: boolean } = { kind };
  if (p.timestamp !== undefined) {
    const parsed = typeof p.timestamp === 'string' ? Date.parse(p.timestamp) : Number.NaN;
    if (!Number.isFinite(parsed)) invalid('"timestamp" is not an ISO date.');
    out.timestamp = new Date(parsed).toISOString();
  }
  if (p.live !== undefined && typeof p.live !== 'boolean') invalid('"live" is not a boolean.');
  if (typeof p.live === 'boolean') out.live = p.live;
  return out;
}

function payload(p: Record<string, unknown>): WebhookPayload {
  const { kind, ...head } = envelope(p);
  if ((CONNECTION_EVENT_TYPES as readonly string[]).includes(kind)) {
    const data = obj(p.data) ?? invalid(`${kind}: "data" is not an object.`);
    const conn = connection(data.connection, `${kind}: "data.connection"`);
    const ref = data.clientReferenceId;
    if (ref !== undefined && !isStrOrNull(ref))
      invalid(`${kind}: "data.clientReferenceId" is not a string or null.`);
    const clientReferenceId = (ref as string | null | undefined) ?? conn.clientReferenceId ?? null;
    return { ...head, type: kind as ConnectionEventType, data: { connection: conn, clientReferenceId } };
  }
  if (kind === 'rules.updated') {
    const data = obj(p.data ?? {}) ?? invalid('rules.updated: "data" is not an object.');
    const revision = data.revision;
    if (revision !== undefined && typeof revision !== 'number' && typeof revision !== 'string')
      invalid('rules.updated: "data.revision" is not a number or a string.');
    return { ...head, type: 'rules.updated', data: data as RulesUpdatedData };
  }
  return { ...head, type: 'unknown', unknownType: kind, data: p.data ?? null };
}

/**
 * Reads a webhook body (already verified) in either envelope and either connection shape.
 * @example
 * const read = readWebhookPayload(JSON.parse(body));
 * if (read.ok && read.payload.type === 'connection.created') console.log(read.payload.data.connection.id);
 */
export function readWebhookPayload(
  body: unknown,
): { ok: true; payload: WebhookPayload } | { ok: false; message: string } {
  try {
    const p = obj(body) ?? invalid('The webhook body is not a JSON object.');
    return { ok: true, payload: payload(p) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message };
    throw error;
  }
}
