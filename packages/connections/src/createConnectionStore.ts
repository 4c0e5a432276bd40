import {
  type Connection,
  changeProblem,
  isClientReferenceId,
  isConnectionId,
  type StoredConnection,
} from '@oflink/protocol';
import type { ConnectionChange, ConnectionStore, MessageClaim, MessageOutcome } from '@oflink/server';
import { ConnectionStoreError, storeFailure } from './ConnectionStoreError';
import {
  type Database,
  databaseOpener,
  type EmbeddedDatabase,
  isServer,
  type ServerDatabase,
} from './database';
import { migrate } from './migrate';
import { type ConnectionRow, changeParams, messageKey, recordParams, toStored } from './rows';
import {
  APPLY_CHANGE,
  CLAIM_MESSAGE,
  FIND,
  FIND_ANY,
  LIST,
  MESSAGE_HANDLED,
  MESSAGE_REJECT,
  MESSAGE_RELEASE,
  MESSAGE_STATE,
  PURGE_DISCONNECTED,
  PURGE_MESSAGES,
  RECORD,
  REMOVE,
} from './statements';

/**
 * Options of {@link createConnectionStore}.
 * @example
 * const options: ConnectionStoreOptions = { database: process.env.DATABASE_URL };
 */
export interface ConnectionStoreOptions {
  /**
   * Where the connections are kept:
   * - nothing: an in-memory embedded PostgreSQL (PGlite), gone when the process ends: for
   *   development, tests and demos (needs `@electric-sql/pglite`);
   * - `postgres://…` / `postgresql://…`: a PostgreSQL server, which several app servers can share
   *   (needs `pg`);
   * - any other string: an embedded PGlite kept in that directory, opened by one process at a time;
   * - a `PGlite` or a `pg.Pool` you created: used as it is; `close()` leaves it open.
   * @defaultValue undefined (in memory)
   */
  database?: string | EmbeddedDatabase | ServerDatabase | undefined;
  /**
   * Deadline of connecting and of each statement on the PostgreSQL pool the store creates, in ms:
   * a stalled or locked database fails the call with `store_unavailable` instead of holding it.
   * @defaultValue 5000
   */
  timeoutMs?: number | undefined;
  /**
   * How long applied webhook message ids, and the records of disconnected connections, are kept,
   * in seconds: far past the sender's last retry. Both are purged at most hourly while the store
   * is in use.
   * @defaultValue 2592000 (30 days)
   */
  retentionSeconds?: number | undefined;
}

/**
 * A {@link ConnectionStore} on PostgreSQL, with `ready()` and `close()`: the app's record of which
 * user owns which OFAuth connection, written by the confirm endpoint and the webhook handler of
 * `@oflink/server`.
 * @example
 * await store.close();
 */
export interface PostgresConnectionStore extends ConnectionStore {
  /** `embedded` (PGlite) or `server` (a PostgreSQL server). */
  readonly kind: 'embedded' | 'server';
  /**
   * Opens the database and brings its tables up to date now rather than at the first call (an
   * embedded database takes a few seconds to start): call it when the server starts, so a
   * configuration problem (`store_locked`, `driver_missing`) shows then. Rejects with a
   * {@link ConnectionStoreError}.
   */
  ready(): Promise<void>;
  /** Closes the database the store opened itself (and frees an embedded database's directory). */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;
/** How long a claimed message is another server's before a redelivery may take it over. */
const CLAIM_LEASE_SECONDS = 30;

/**
 * Creates the connection store. It returns at once; the first call opens the database and creates
 * or upgrades its tables (`oflink_connections`, `oflink_webhook_messages`, `oflink_schema`), so
 * several app servers starting together against one database is safe. An embedded database's
 * directory is taken when it opens: a second process on it gets `store_locked`.
 *
 * Rules it keeps: a webhook message is claimed once across every server sharing the database, and
 * its change applied in the same transaction; a change older than the newest one applied to its
 * connection only fills what the record lacks; a `disconnected` connection stays disconnected,
 * keeps no OnlyFans profile and is never listed. Each call rejects with a
 * {@link ConnectionStoreError}: `store_unavailable` (retry it) or `invalid_data` (never storable).
 *
 * @throws {ConnectionStoreError} `invalid_options` for a wrong option.
 * @example
 * import { createConnectionStore } from '@oflink/connections';
 * import { createConfirmHandler, createConnectionsHandler, createWebhookHandler } from '@oflink/server';
 *
 * const store = createConnectionStore({ database: process.env.DATABASE_URL });
 * const user = (request: Request) => request.headers.get('x-user-id');
 * export const confirm = createConfirmHandler({ store, getClientReferenceId: user });
 * export const connections = createConnectionsHandler({ store, getClientReferenceId: user });
 * export const webhooks = createWebhookHandler({ store });
 */
export function createConnectionStore(options: ConnectionStoreOptions = {}): PostgresConnectionStore {
  const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const retention = positive(options.retentionSeconds, DEFAULT_RETENTION_SECONDS, 'retentionSeconds');
  const opener = databaseOpener(options.database, { timeoutMs });
  let ready: Promise<Database> | null = null;
  let closed = false;
  let purgedAt = 0;
  let purging: Promise<void> | null = null;

  const prepared = () => {
    ready ??= opener
      .open()
      .then(async (db) => {
        await migrate(db);
        return db;
      })
      .catch((error: unknown) => {
        ready = null;
        throw error;
      });
    return ready;
  };
  /** Message ids and disconnected records past the retention go, at most every half retention (≤ 1 h). */
  const purgeWhenDue = (db: Database) => {
    const now = Date.now();
    if (purging || now - purgedAt < Math.min(3_600_000, (retention * 1000) / 2)) return;
    purgedAt = now;
    purging = (async () => {
      await db.query(PURGE_MESSAGES, [retention]);
      await db.query(PURGE_DISCONNECTED, [retention]);
    })()
      .catch(() => {
        purgedAt = 0; // tried again by a later call
      })
      .finally(() => {
        purging = null;
      });
  };
  const run = async <T>(what: string, work: (db: Database) => Promise<T>): Promise<T> => {
    if (closed)
      throw new ConnectionStoreError('store_unavailable', `The connection store is closed (${what}).`);
    try {
      const db = await prepared();
      purgeWhenDue(db);
      return await work(db);
    } catch (error) {
      throw storeFailure(what, error);
    }
  };

  return {
    kind: isServer(options.database) ? 'server' : 'embedded',
    ready: () => run('open the database', async () => undefined),
    record: (clientReferenceId: string, connection: Connection, recordOptions = {}) =>
      run('record a connection', async (db) => {
        refuseUnstorable(
          !isConnectionId(connection?.id)
            ? 'the connection id is not a conn_… id'
            : !isClientReferenceId(clientReferenceId)
              ? 'the clientReferenceId is not 1 to 256 printable characters'
              : null,
        );
        const params = recordParams(clientReferenceId, connection, recordOptions.live ?? null);
        const [row] = await db.query<ConnectionRow>(RECORD, params);
        return row ? toStored(row) : disconnectedRecord(db, connection.id);
      }),
    claimMessage: (messageId: string, change: ConnectionChange | null) =>
      run('claim a webhook message', async (db) => {
        if (change) refuseUnstorable(changeProblem(change));
        const key = messageKey(messageId);
        return db.transaction(async (query): Promise<MessageClaim> => {
          const [claimed] = await query(CLAIM_MESSAGE, [key, CLAIM_LEASE_SECONDS]);
          if (!claimed) {
            const [row] = await query<{ state: string }>(MESSAGE_STATE, [key]);
            return row && row.state !== 'claimed' ? 'handled' : 'busy';
          }
          if (change) await query(APPLY_CHANGE, changeParams(change));
          return 'claimed';
        });
      }),
    settleMessage: (messageId: string, outcome: MessageOutcome) =>
      run('settle a webhook message', async (db) => {
        const statement = { handled: MESSAGE_HANDLED, failed: MESSAGE_RELEASE, rejected: MESSAGE_REJECT }[
          outcome
        ];
        if (!statement)
          throw new ConnectionStoreError('invalid_data', `Unknown message outcome "${outcome}".`);
        await db.query(statement, [messageKey(messageId)]);
      }),
    list: (clientReferenceId: string, listOptions = {}) =>
      run('list connections', async (db) =>
        (await db.query<ConnectionRow>(LIST, [clientReferenceId, listOptions.live ?? null])).map(toStored),
      ),
    find: (connectionId: string) =>
      run('find a connection', async (db) => {
        const [row] = await db.query<ConnectionRow>(FIND, [connectionId]);
        return row ? toStored(row) : null;
      }),
    remove: (connectionId: string) =>
      run('remove a connection', async (db) => {
        await db.query(REMOVE, [connectionId]);
      }),
    close: async () => {
      closed = true;
      await purging;
      await opener.close();
    },
  };
}

/** Throws `invalid_data` naming the problem, when there is one. */
function refuseUnstorable(problem: string | null): void {
  if (problem) throw new ConnectionStoreError('invalid_data', `This can never be stored: ${problem}.`);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ConnectionStoreError(
      'invalid_options',
      `createConnectionStore: ${name} must be a positive number.`,
    );
  return value;
}

/** The record a confirmation could not change because the connection was disconnected meanwhile. */
async function disconnectedRecord(db: Database, id: string): Promise<StoredConnection> {
  const [row] = await db.query<ConnectionRow>(FIND_ANY, [id]);
  if (!row) throw new Error(`connection ${id} vanished while it was recorded`);
  return toStored(row);
}
