// `@oflink/core/internal`: what framework bindings (such as @oflink/react) build on: the session
// request and its cache key, the callback page and its records, the confirmation step, the call of
// the app's own endpoints. Not an app API: it changes with the bindings, not with semver.

export {
  type ConnectionsListBody,
  needsReconnect,
  ROUTES,
  type StoredConnection,
  sessionRequestBody,
} from '@oflink/protocol';
export { runCallbackPage } from './callback';
export { confirmOutcome, isConfirmOption } from './confirm';
export { isDev } from './dev';
export { callEndpoint } from './endpoint';
export { asLinkError } from './LinkError';
export { isLinkOption } from './options';
export { channelName, RELAY_TYPE, readReturned, saveReturned } from './records';
export { DEFAULT_ENDPOINT, isSessionFresh, requestSession } from './session';
export type {
  ConfirmOption,
  LinkActions,
  SandboxScenario,
  SessionRequestOptions,
  SessionSource,
} from './types';
