'use client';
export type {
  LinkCancelled,
  LinkErrorCode,
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
} from '@oflink/core';
export { LinkError, parseCallback } from '@oflink/core';
export type { SandboxScenario } from '@oflink/core/internal';
export type { ConnectButtonProps, ConnectButtonState } from './ConnectButton';
export { ConnectButton } from './ConnectButton';
export { connectionsQueryKey } from './connectionsKey';
export type { ConnectionView } from './connectionView';
export type { SandboxHintProps } from './SandboxHint';
export { SandboxHint } from './SandboxHint';
export type { UseConnectionsOptions, UseConnectionsResult } from './useConnections';
export { useConnections } from './useConnections';
export type { UseLinkCallbackOptions, UseLinkCallbackResult } from './useLinkCallback';
export { useLinkCallback } from './useLinkCallback';
export type { UseLinkSessionOptions, UseLinkSessionResult } from './useLinkSession';
export { SESSION_GC_TIME_MS, sessionQueryKey, useLinkSession } from './useLinkSession';
