// The public entry of @oflink/core: what an app or a framework binding's user needs. What bindings
// build on is on `@oflink/core/internal`; the modal is on `@oflink/core/embed`.
export { type CallbackResult, handleCallback, parseCallback } from './callback';
export { createLinkController } from './controller';
export { LinkError, type LinkErrorCode } from './LinkError';
export { createSessionCache } from './session';
export type {
  Geolocation,
  LinkCancelled,
  LinkController,
  LinkControllerOptions,
  LinkEmbed,
  LinkEvent,
  LinkFailure,
  LinkMode,
  LinkOutcome,
  LinkSession,
  LinkSessionParams,
  LinkState,
  LinkStatus,
  LinkStep,
  LinkSuccess,
  LinkTheme,
  LinkUser,
  SandboxInfo,
} from './types';
