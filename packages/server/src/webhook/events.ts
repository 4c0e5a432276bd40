// The typed webhook events `verifyWebhook` returns, whatever the envelope and signature scheme
// they came in: one union, narrowed by `type`.
import type { ConnectionEventType, RulesUpdatedData, WebhookConnection } from '@oflink/protocol';

/**
 * Fields every verified webhook event has, whatever its envelope and signature scheme.
 * @example
 * const key = (event: WebhookEventBase) => `${event.scheme}:${event.id}`; // de-duplication key
 */
export interface WebhookEventBase {
  /**
   * Message id: use it to de-duplicate. Standard Webhooks / Svix: the signed `svix-id` /
   * `webhook-id` header, the same on every retry and resend. `OFAuth-Signature` (which signs no id):
   * `ofauth_` + the first 32 hex digits of SHA-256 of the raw body when the body carries its own
   * time (stable across retries), else of the signed time and the body (each attempt distinct).
   */
  id: string;
  /**
   * ISO time of the event, which orders the events of one connection: the body's `timestamp` (at
   * most the signed time plus the tolerance), else the time a Svix `msg_` id carries, else the
   * signed header time (see {@link WebhookEventBase.timeSource}).
   */
  timestamp: string;
  /**
   * Where {@link WebhookEventBase.timestamp} comes from: `event` (the body), `message_id` (the
   * Svix id, made once per message), or `signature` (the signed header time, which a retry
   * re-sets: it does not order a retried event against newer ones).
   */
  timeSource: 'event' | 'message_id' | 'signature';
  /** `live` flag of the SDK envelope (false for sandbox keys); absent in the docs envelope. */
  live?: boolean;
  /** Which signature scheme the message was verified with. */
  scheme: 'standard' | 'ofauth';
}

/**
 * Payload of every `connection.*` event.
 * @example
 * const owner = (data: ConnectionEventData) => data.clientReferenceId ?? 'unknown user';
 */
export interface ConnectionEventData {
  /** The connection the event is about. */
  connection: WebhookConnection;
  /** The app's own id for the end user (`data.clientReferenceId`, else the connection's), or null. */
  clientReferenceId: string | null;
}

/**
 * A `connection.*` event of type `T`.
 * @example
 * function onExpired(event: ConnectionWebhookEvent<'connection.expired'>) {
 *   console.log(`${event.data.connection.id} expired for ${event.data.clientReferenceId}`);
 * }
 */
export interface ConnectionWebhookEvent<T extends ConnectionEventType> extends WebhookEventBase {
  /** Event type. */
  type: T;
  /** The connection and the app's user id. */
  data: ConnectionEventData;
}

/**
 * `rules.updated`: `data` is `{rules, revision}` as the SDKs type it, with any other field kept as sent.
 * @example
 * const onRules = (event: RulesUpdatedEvent) => console.log('rules now at revision', event.data.revision);
 */
export interface RulesUpdatedEvent extends WebhookEventBase {
  /** Event type. */
  type: 'rules.updated';
  /** The payload object as sent. */
  data: RulesUpdatedData;
}

/**
 * A verified event whose type this version does not know. It is still authentic; `unknownType` holds the
 * type as sent and `data` the payload as sent.
 * @example
 * const onUnknown = (event: UnknownWebhookEvent) => console.warn('unhandled OFAuth event', event.unknownType);
 */
export interface UnknownWebhookEvent extends WebhookEventBase {
  /** Always `'unknown'`, so that `switch (event.type)` narrows the known events. */
  type: 'unknown';
  /** The event type as sent, e.g. `"connection.renamed"`. */
  unknownType: string;
  /** The payload as sent (`null` when the envelope has none). */
  data: unknown;
}

/**
 * A verified, normalized OFAuth webhook event: both envelopes (`{type, timestamp, data}` and
 * `{eventType, live, data}`) become this one discriminated union on `type`.
 * @example
 * function onEvent(event: WebhookEvent) {
 *   if (event.type === 'connection.created') console.log(event.data.connection.id, event.data.clientReferenceId);
 * }
 */
export type WebhookEvent =
  | ConnectionWebhookEvent<'connection.created'>
  | ConnectionWebhookEvent<'connection.updated'>
  | ConnectionWebhookEvent<'connection.expired'>
  | ConnectionWebhookEvent<'connection.disconnected'>
  | RulesUpdatedEvent
  | UnknownWebhookEvent;

/**
 * Every value of `WebhookEvent['type']` (the keys of `createWebhookHandler`'s `on`, besides `'*'`).
 * @example
 * const handled: WebhookEventType[] = ['connection.created', 'connection.expired'];
 */
export type WebhookEventType = WebhookEvent['type'];
