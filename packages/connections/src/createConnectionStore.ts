import type { PGlite } from '@electric-sql/pglite';
import type { Connection, ConnectionChange, ConnectionStore, StoredConnection } from '@oflink/protocol';
import type pg from 'pg';
import { ConnectionStoreError } from './ConnectionStoreError';
import { type Database, openDatabase } from './database';
import { migrate } from './migrate';
import { type ConnectionRow, changeParams, recordParams, toStored } from './rows';
import { APPLY_CHANGE, CLAIM_MESSAGE, FIND, FIND_ANY, LIST, RECORD, REMOVE } from './statements';

/**
 * Options of {@link createConnectionStore}.
 * @example
 * const options: ConnectionStoreOptions = { database: process.env.DATABASE_URL };
 */
export interface ConnectionStoreOptions {
  /**
   * Where the connections are kept:
   * - nothing: an in-memory embedded PostgreSQL (PGlite), gone when the process ends: for
   *   development, tests and demos;
   * - `postgres://…` / `postgresql://…`: a PostgreSQL server, which several app servers can share;
   * - any other string: an embedded PGlite kept in that directory;
   * - a `PGlite` or a `pg.Pool` you created: used as it is; `close()` leaves it open.
   * @defaultValue undefined (in memory)
   */
  database?: string | PGlite | pg.Pool;
}

/**
 * A {@link ConnectionStore} on PostgreSQL, with `close()`: the app's record of which user owns which
 * OFAuth connection, written by the confirm endpoint and the webhook handler of `@oflink/server`.
 * @example
 * await store.close();
 */
export interface PostgresConnectionStore extends ConnectionStore {
  /** `embedded` (PGlite) or `server` (a PostgreSQL server). */
  readonly kind: 'embedded' | 'server';
  /**
   * Opens the database and brings its tables up to date now rather than at the first call (an
   * embedded database takes a few seconds to start). Rejects with a {@link ConnectionStoreError}.
   */
  ready(): Promise<void>;
  /** Closes the database the store opened itself. */
  close(): Promise<void>;
}

/**
 * Creates the connection store. It returns at once; the first call opens the database and creates
 * or upgrades its tables (`oflink_connections`, `oflink_webhook_messages`, `oflink_schema`), so
 * several app servers starting together against one database is safe. When the database fails,
 * each call rejects with a {@link ConnectionStoreError} and nothing is half-written (every write
 * is one transaction); the next call tries again.
 *
 * Rules it keeps: a webhook message id is applied once, even when two servers receive it at the
 * same moment; a change older than the newest one applied to its connection changes nothing; a
 * `disconnected` connection stays disconnected and is never listed.
 *
 * @example
 * import { createConnectionStore } from '@oflink/connections';
 * import { createConfirmHandler, createConnectionsHandler, createWebhookHandler } from '@oflink/server';
 *
 * const store = createConnectionStore({ database: process.env.DATABASE_URL });
 * const user = (request: Request) => request.headers.get('x-user-id');
 * export const confirm = createConfirmHandler({ store, getClientReferenceId: user });
 * export const connections = createConnectionsHandler({ store, getClientReferenceId: user });
 * export const webhooks = createWebhookHandler({ store, on: {} });
 */
export function createConnectionStore(options: ConnectionStoreOptions = {}): PostgresConnectionStore {
  const db: Database = openDatabase(options.database);
  const { run, close } = lifecycle(db);
  return {
    kind: db.kind,
    ready: () => run('open the database', async () => undefined),
    record: (clientReferenceId: string, connection: Connection) =>
      run('record a connection', async () => {
        const [row] = await db.query<ConnectionRow>(RECORD, recordParams(clientReferenceId, connection));
        return row ? toStored(row) : disconnectedRecord(db, connection.id);
      }),
    applyChange: (change: ConnectionChange) =>
      run('apply a webhook event', () =>
        db.transaction(async (query) => {
          if ((await query(CLAIM_MESSAGE, [change.messageId])).length === 0) return false;
          await query(APPLY_CHANGE, changeParams(change));
          return true;
        }),
      ),
    list: (clientReferenceId: string) =>
      run('list connections', async () =>
        (await db.query<ConnectionRow>(LIST, [clientReferenceId])).map(toStored),
      ),
    find: (connectionId: string) =>
      run('find a connection', async () => {
        const [row] = await db.query<ConnectionRow>(FIND, [connectionId]);
        return row ? toStored(row) : null;
      }),
    remove: (connectionId: string) =>
      run('remove a connection', async () => {
        await db.query(REMOVE, [connectionId]);
      }),
    close,
  };
}

/**
 * Every call runs after the tables are ready (created on first use; a failed attempt is retried by
 * the next call), refuses once the store is closed, and fails only as a {@link ConnectionStoreError}.
 */
function lifecycle(db: Database) {
  let ready: Promise<void> | null = null;
  let closed = false;
  const prepared = () => {
    ready ??= migrate(db).catch((error: unknown) => {
      ready = null;
      throw error;
    });
    return ready;
  };
  const run = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ConnectionStoreError(`The connection store is closed (${what}).`, undefined);
    try {
      await prepared();
      return await work();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionStoreError(`The connection store could not ${what}: ${reason}`, error);
    }
  };
  const close = async () => {
    closed = true;
    await db.close();
  };
  return { run, close };
}

/** The record a confirmation could not change because the connection was disconnected meanwhile. */
async function disconnectedRecord(db: Database, id: string): Promise<StoredConnection> {
  const [row] = await db.query<ConnectionRow>(FIND_ANY, [id]);
  if (!row) throw new Error(`connection ${id} vanished while it was recorded`);
  return toStored(row);
}
