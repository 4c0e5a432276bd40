// The protocol of oflink, defined once for the workspace and bundled into each published package:
// OFAuth's wire format (ofauth/: what PROTOCOL.md describes) and the app's own endpoints (app/: what
// the browser and the server of oflink say to each other).

// The app's endpoints
export {
  type ConnectionsListBody,
  changeProblem,
  MESSAGE_ID_MAX,
  needsReconnect,
  type StorableChange,
  type StoredConnection,
} from './app/connections';
export {
  BASE_PATH,
  type Check,
  type ConfirmRequestBody,
  checkClientReferenceId,
  checkConfirmBody,
  checkConnectionId,
  checkGeolocation,
  checkSessionBody,
  type EndpointErrorCode,
  type ErrorAnswerBody,
  isPlainObject,
  PUBLIC_MESSAGES,
  ROUTES,
  readEndpointError,
  type SessionRequestBody,
  sessionRequestBody,
} from './app/endpoints';
// OFAuth's wire format
export { CALLBACK_PARAMS, ERROR_CODE, LINK_STEPS, type LinkStep } from './ofauth/callback';
export {
  CONNECTION_STATUSES,
  type Connection,
  type ConnectionStatus,
  type SdkWebhookConnection,
} from './ofauth/connection';
export { type ErrorBody, readErrorBody } from './ofauth/errorBody';
export {
  CLIENT_APP_ID,
  CLIENT_REFERENCE_ID_MAX,
  CONNECTION_ID,
  isClientReferenceId,
  isConnectionId,
} from './ofauth/ids';
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
} from './ofauth/linkMessages';
export { messageIdAt, messageIdTime } from './ofauth/messageId';
export { parseLinkMessage } from './ofauth/parseLinkMessage';
export {
  type Geolocation,
  type HostedSessionRead,
  type LinkInitRequest,
  type LinkSession,
  readHostedSession,
} from './ofauth/session';
export { type OnlyFansUser, parseUser } from './ofauth/user';
export { hasControl, isAbsoluteUrl, obj, printable, str } from './ofauth/values';
export {
  CONNECTION_EVENT_TYPES,
  type ConnectionEventType,
  type RulesUpdatedData,
  readWebhookPayload,
  WEBHOOK_EVENT_TYPES,
  type WebhookConnection,
  type WebhookEnvelope,
  type WebhookPayload,
} from './ofauth/webhook';
