export type {
  ConnectionChange,
  ConnectionStore,
  ConnectionsListBody,
  StoredConnection,
} from '@oflink/protocol';
export { needsReconnect } from '@oflink/protocol';
export { ConnectionStoreError } from './ConnectionStoreError';
export type { ConnectionStoreOptions, PostgresConnectionStore } from './createConnectionStore';
export { createConnectionStore } from './createConnectionStore';
