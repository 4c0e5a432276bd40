export type { LinkEmbed } from './attempt';
export { CALLBACK_PARAMS, parseCallback, safeReturnPath } from './callback';
export type { ConfirmOption } from './confirm';
export { confirmOutcome } from './confirm';
export type { LinkController, LinkControllerOptions, LinkState } from './controller';
export { AUTO_POPUP_MIN_WIDTH, createLinkController, POPUP_CLOSE_GRACE_MS } from './controller';
export type { Embed } from './embed';
export { EMBED_ALLOW, embedUrl, mountEmbed } from './embed';
export { isDev, isServer } from './env';
export { LinkError } from './LinkError';
export type { IncomingMessage, LinkMessage } from './messages';
export { acceptLinkMessage, parseLinkMessage } from './messages';
export { openPopup, POPUP_SIZE } from './popup';
export type { AttemptRecord, CallbackResult, RelayMessage, ReturnedRecord } from './relay';
export { channelName, handleCallback, parseRelay, RELAY_TYPE, readReturned, saveReturned } from './relay';
export type { FetchSession } from './session';
export {
  DEFAULT_ENDPOINT,
  fetchLinkSession,
  isSessionFresh,
  parseSession,
  SESSION_SAFETY_MARGIN_MS,
} from './session';
export type { SessionRequestOptions, SessionSource } from './sessionSource';
export { createSessionCache, requestSession, sessionParams } from './sessionSource';
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
  SandboxScenario,
} from './types';
