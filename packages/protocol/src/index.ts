// The OFAuth wire protocol (PROTOCOL.md): one definition of each shape, constant and rule that
// crosses OFAuth's boundary, for core, server and simulator. Bundled into each published package.
export { CALLBACK_PARAMS, ERROR_CODE, LINK_STEPS, type LinkStep } from './callback';
export {
  CONNECTION_STATUSES,
  type Connection,
  type ConnectionStatus,
  type SdkWebhookConnection,
} from './connection';
export {
  type ConnectionChange,
  type ConnectionStore,
  type ConnectionsListBody,
  changeProblem,
  MESSAGE_ID_MAX,
  type MessageClaim,
  type MessageOutcome,
  needsReconnect,
  type StoredConnection,
} from './connectionStore';
export type { EndpointErrorCode } from './endpointErrors';
export { type ErrorBody, readErrorBody } from './errorBody';
export {
  CLIENT_APP_ID,
  CLIENT_REFERENCE_ID_MAX,
  CONNECTION_ID,
  isClientReferenceId,
  isConnectionId,
} from './ids';
export {
  EXIT_STEPS,
  type ExitMetadata,
  type ExitRequest,
  type ExitStep,
  type ExitType,
  LINK_MESSAGE_TYPE,
  type LinkExit,
  type LinkMessage,
  type LinkPageMessage,
  type SandboxInfo,
  type SandboxScenario,
  type SuccessMetadata,
  type WireUser,
} from './linkMessages';
export { messageIdAt, messageIdTime } from './messageId';
export { parseLinkMessage } from './parseLinkMessage';
export {
  type Geolocation,
  type HostedSessionRead,
  type LinkInitRequest,
  type LinkSession,
  readHostedSession,
} from './session';
export { type OnlyFansUser, parseUser } from './user';
export { hasControl, isAbsoluteUrl, obj, printable, str } from './values';
export {
  CONNECTION_EVENT_TYPES,
  type ConnectionEventType,
  type RulesUpdatedData,
  readWebhookPayload,
  WEBHOOK_EVENT_TYPES,
  type WebhookConnection,
  type WebhookEnvelope,
  type WebhookPayload,
} from './webhook';
