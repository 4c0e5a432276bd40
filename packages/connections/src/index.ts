export type { ConnectionsListBody, StoredConnection } from '@oflink/protocol';
export { needsReconnect } from '@oflink/protocol';
export type { ConnectionStoreErrorCode } from './ConnectionStoreError';
export { ConnectionStoreError } from './ConnectionStoreError';
export type { ConnectionStoreOptions, PostgresConnectionStore } from './createConnectionStore';
export { createConnectionStore } from './createConnectionStore';
export type { EmbeddedDatabase, ServerDatabase } from './database';
