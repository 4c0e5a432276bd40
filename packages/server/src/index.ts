import type { ConfirmConnectionOptions, ConfirmConnectionParams } from './confirmConnection';
import type { ConfirmHandlerOptions } from './createConfirmHandler';
import type { LinkHandlerErrorBody, LinkHandlerOptions } from './createLinkHandler';
import type { LinkSessionOptions, LinkSessionParams } from './createLinkSession';
import type {
  CreateWebhookHandlerOptions,
  WebhookErrorContext,
  WebhookHandlers,
} from './createWebhookHandler';
import type { OflinkServerErrorCode } from './OflinkServerError';
import type { BrowserEndpointOptions } from './signedInUser';
import type { FetchHandler, NodeHandler, NodeRequest, NodeResponse } from './toNodeHandler';
import type { Connection, Geolocation, LinkSession } from './types';
import type { VerifyWebhookOptions, WebhookHeaders, WebhookSecret } from './verifyWebhook';
import type {
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

export { confirmConnection } from './confirmConnection';
export { createConfirmHandler } from './createConfirmHandler';
export { createLinkHandler } from './createLinkHandler';
export { createLinkSession } from './createLinkSession';
export { createWebhookHandler } from './createWebhookHandler';
export { OflinkServerError } from './OflinkServerError';
export { toNodeHandler } from './toNodeHandler';
export { verifyWebhook } from './verifyWebhook';
export { WebhookVerificationError } from './webhookTypes';

export type {
  BrowserEndpointOptions,
  ConfirmConnectionOptions,
  ConfirmConnectionParams,
  ConfirmHandlerOptions,
  Connection,
  ConnectionEventData,
  ConnectionEventType,
  ConnectionWebhookEvent,
  CreateWebhookHandlerOptions,
  FetchHandler,
  Geolocation,
  LinkHandlerErrorBody,
  LinkHandlerOptions,
  LinkSession,
  LinkSessionOptions,
  LinkSessionParams,
  NodeHandler,
  NodeRequest,
  NodeResponse,
  OflinkServerErrorCode,
  RulesUpdatedEvent,
  UnknownWebhookEvent,
  VerifyWebhookOptions,
  WebhookConnection,
  WebhookErrorContext,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventType,
  WebhookHandlers,
  WebhookHeaders,
  WebhookSecret,
  WebhookVerificationErrorCode,
};
