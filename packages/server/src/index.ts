export type {
  ConnectionChange,
  ConnectionStore,
  ConnectionsListBody,
  StoredConnection,
} from '@oflink/protocol';
export type { ConfirmConnectionOptions, ConfirmConnectionParams } from './confirmConnection';
export { confirmConnection } from './confirmConnection';
export type { ConfirmHandlerOptions } from './createConfirmHandler';
export { createConfirmHandler } from './createConfirmHandler';
export type { ConnectionsHandlerOptions } from './createConnectionsHandler';
export { createConnectionsHandler } from './createConnectionsHandler';
export type { LinkHandlerErrorBody, LinkHandlerOptions } from './createLinkHandler';
export { createLinkHandler } from './createLinkHandler';
export type { LinkSessionOptions, LinkSessionParams } from './createLinkSession';
export { createLinkSession } from './createLinkSession';
export type { OflinkHandlerOptions } from './createOflinkHandler';
export { createOflinkHandler } from './createOflinkHandler';
export type {
  CreateWebhookHandlerOptions,
  WebhookErrorContext,
  WebhookHandlers,
} from './createWebhookHandler';
export { createWebhookHandler } from './createWebhookHandler';
export type { OflinkServerErrorCode } from './OflinkServerError';
export { OflinkServerError } from './OflinkServerError';
export type { BrowserEndpointOptions } from './signedInUser';
export type { FetchHandler, NodeHandler, NodeRequest, NodeResponse } from './toNodeHandler';
export { toNodeHandler } from './toNodeHandler';
export type { Connection, Geolocation, LinkSession } from './types';
export type { VerifyWebhookOptions, WebhookHeaders, WebhookSecret } from './verifyWebhook';
export { verifyWebhook } from './verifyWebhook';
export type {
  ConnectionEventData,
  ConnectionEventType,
  ConnectionWebhookEvent,
  RulesUpdatedEvent,
  UnknownWebhookEvent,
  WebhookConnection,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventType,
  WebhookVerificationErrorCode,
} from './webhookTypes';
export { WebhookVerificationError } from './webhookTypes';
