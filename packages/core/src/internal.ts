// `@oflink/core/internal`: what framework bindings (such as @oflink/react) build on: the session
// request and its cache key, the callback page's records and relay, the confirmation step, the
// call of the app's own endpoints. Not an
// app API: it changes with the bindings, not with semver.

export {
  type ConnectionsListBody,
  needsReconnect,
  ROUTES,
  type StoredConnection,
  sessionRequestBody,
} from '@oflink/protocol';
export { type ConfirmOption, confirmOutcome, isConfirmOption } from './confirm';
export { isDev } from './env';
export { isLinkOption } from './options';
export { channelName, RELAY_TYPE, readReturned, runCallbackPage, saveReturned } from './relay';
export { callEndpoint, DEFAULT_ENDPOINT, endpointError, isSessionFresh } from './session';
export {
  requestSession,
  type SessionRequestOptions,
  type SessionSource,
} from './sessionSource';
export type { SandboxScenario } from './types';
