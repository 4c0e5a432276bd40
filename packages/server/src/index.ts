// @oflink/server: the endpoints the browser calls (one mount, or one handler each), the functions
// they are built on, webhook verification, and the Node adapter.
export type {
  Connection,
  ConnectionEventType,
  ConnectionsListBody,
  Geolocation,
  LinkSession,
  RulesUpdatedData,
  StoredConnection,
  WebhookConnection,
} from '@oflink/protocol';
export type { UpstreamOptions } from './config';
export {
  type ConfirmConnectionOptions,
  type ConfirmConnectionParams,
  type ConfirmHandlerOptions,
  confirmConnection,
  createConfirmHandler,
} from './confirm';
export {
  type ConnectionChange,
  type ConnectionStore,
  type ConnectionsHandlerOptions,
  createConnectionsHandler,
  type MessageClaim,
  type MessageOutcome,
} from './connections';
export type { BrowserEndpointOptions } from './endpoint';
export {
  OflinkServerError,
  type OflinkServerErrorCode,
  type WebhookVerificationErrorCode,
} from './errors';
export { createOflinkHandler, type OflinkHandlerOptions } from './mount';
export {
  type FetchHandler,
  type NodeHandler,
  type NodeRequest,
  type NodeResponse,
  toNodeHandler,
} from './node';
export {
  createLinkHandler,
  createLinkSession,
  type LinkHandlerErrorBody,
  type LinkHandlerOptions,
  type LinkSessionOptions,
  type LinkSessionParams,
} from './session';
export { WebhookVerificationError } from './webhook/error';
export type {
  ConnectionEventData,
  ConnectionWebhookEvent,
  RulesUpdatedEvent,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventType,
} from './webhook/events';
export { createWebhookHandler } from './webhook/handler';
export type {
  CreateWebhookHandlerOptions,
  WebhookErrorContext,
  WebhookHandlers,
} from './webhook/options';
export type { WebhookHeaders, WebhookSecret } from './webhook/signatures';
export { type VerifyWebhookOptions, verifyWebhook } from './webhook/verify';
