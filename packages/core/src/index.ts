// The public entry of @oflink/core: what an app or a framework binding's user needs. What bindings
// build on is on `@oflink/core/internal`; the modal is on `@oflink/core/embed`.
export type { LinkEmbed } from './attempt';
export { parseCallback } from './callback';
export type { LinkController, LinkControllerOptions, LinkState } from './controller';
export { createLinkController } from './controller';
export { LinkError, type LinkErrorCode } from './LinkError';
export type { CallbackResult } from './relay';
export { handleCallback } from './relay';
export { createSessionCache } from './sessionSource';
export type {
  Geolocation,
  LinkCancelled,
  LinkEvent,
  LinkFailure,
  LinkMode,
  LinkOutcome,
  LinkSession,
  LinkSessionParams,
  LinkStatus,
  LinkStep,
  LinkSuccess,
  LinkTheme,
  LinkUser,
  SandboxInfo,
} from './types';
