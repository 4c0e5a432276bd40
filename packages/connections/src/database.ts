// Internal: one small query interface over the two drivers, so the store's SQL is written once.
// Both drivers are optional peer dependencies, loaded when a store first needs one: an app on a
// PostgreSQL server installs only `pg`, an app on the embedded database only PGlite.
import { ConnectionStoreError } from './ConnectionStoreError';
import { lockDirectory } from './directoryLock';

/** Runs one parameterised statement and returns its rows (values are never spliced into SQL). */
export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

/** A database the store runs on: an embedded PGlite or a PostgreSQL server through a `pg` pool. */
export interface Database {
  query: Query;
  /**
   * Runs `work` in one transaction; it is rolled back when `work` throws. On the embedded database
   * it also excludes every other statement meanwhile (it has one connection).
   */
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /**
   * On a server: runs `work` on one connection outside a transaction (session locks,
   * `CREATE INDEX CONCURRENTLY`). The embedded database has none: one connection, one process.
   */
  session: (<T>(work: (query: Query) => Promise<T>) => Promise<T>) | null;
  close(): Promise<void>;
}

/**
 * An embedded database you created: a `PGlite` of `@electric-sql/pglite` (described by what the
 * store calls, so that these types need no driver installed).
 * @example
 * const database: EmbeddedDatabase = new PGlite('./data/connections');
 */
export interface EmbeddedDatabase {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(
    work: (tx: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
  readonly closed?: boolean;
}

/**
 * A PostgreSQL server pool you created: a `pg.Pool` (described by what the store calls).
 * @example
 * const database: ServerDatabase = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface ServerDatabase {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{
    query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
    release(destroy?: boolean): void;
  }>;
  end(): Promise<void>;
}

/** What `database` may be: see `ConnectionStoreOptions.database`. */
export type DatabaseSource = string | EmbeddedDatabase | ServerDatabase | undefined;

/** Whether `source` is a PostgreSQL server (a URL or a pool) rather than an embedded database. */
export function isServer(source: DatabaseSource): boolean {
  if (typeof source === 'string') return /^postgres(ql)?:\/\//i.test(source);
  return source !== undefined && typeof (source as ServerDatabase).connect === 'function';
}

function fromPglite(db: EmbeddedDatabase, release: () => Promise<void>): Database {
  const query: Query = async (sql, params) => (await db.query(sql, params)).rows as never;
  return {
    query,
    transaction: (work) =>
      db.transaction((tx) => work(async (sql, params) => (await tx.query(sql, params)).rows as never)),
    session: null,
    close: release,
  };
}

function fromPool(pool: ServerDatabase, release: () => Promise<void>): Database {
  const onClient = async <T>(work: (query: Query) => Promise<T>, inTransaction: boolean): Promise<T> => {
    const client = await pool.connect();
    const query: Query = async (sql, params) => (await client.query(sql, params)).rows as never;
    let broken = false;
    try {
      if (!inTransaction) return await work(query);
      await client.query('BEGIN');
      const result = await work(query);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (inTransaction)
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      throw error;
    } finally {
      // a connection whose rollback failed is not given back to the pool
      client.release(broken);
    }
  };
  return {
    query: async (sql, params) => (await pool.query(sql, params)).rows as never,
    transaction: (work) => onClient(work, true),
    session: (work) => onClient(work, false),
    close: release,
  };
}

/**
 * The optional drivers, imported at run time by Node itself: the comments keep bundlers (webpack,
 * Turbopack, Vite) from resolving them at build time, where a driver the app does not use is
 * missing, and from bundling PGlite's WebAssembly away from its files.
 */
const DRIVERS = {
  pg: () => import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ 'pg'),
  '@electric-sql/pglite': () =>
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ '@electric-sql/pglite'),
};

/** Imports an optional driver, or says which package to install. */
async function driver<T>(name: keyof typeof DRIVERS, use: string): Promise<T> {
  try {
    return (await DRIVERS[name]()) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new ConnectionStoreError(
        'driver_missing',
        `@oflink/connections needs the package ${name} for ${use}: npm install ${name}`,
        error,
      );
    throw error;
  }
}

/** Deadlines of the pool the store creates itself, so a stalled server cannot hold a request. */
export interface Deadlines {
  /** Connecting, and each statement (lock waits included), in ms. */
  timeoutMs: number;
}

/** Opens the database once, on first use; closes what it opened. */
export interface DatabaseOpener {
  /** The database, opened on the first call (a failed open is tried again by the next call). */
  open(): Promise<Database>;
  /** Closes a database the store opened itself (and frees its directory); leaves yours open. */
  close(): Promise<void>;
}

/**
 * The database `source` names: nothing → an in-memory PGlite; `postgres://…` or `postgresql://…`
 * → a `pg` pool on that server, with connection and statement deadlines; any other string → a
 * PGlite kept in that directory, which this process takes when it opens it (a second process then
 * fails with `store_locked`; not when the store is created, since frameworks load route modules in
 * several build workers at once); a PGlite or a pool → used as it is and left open by `close()`.
 */
export function databaseOpener(source: DatabaseSource, deadlines: Deadlines): DatabaseOpener {
  if (typeof source !== 'string' && source !== undefined) {
    const db = isServer(source)
      ? fromPool(source as ServerDatabase, async () => undefined)
      : fromPglite(source as EmbeddedDatabase, async () => undefined);
    return { open: async () => db, close: async () => undefined };
  }
  const connect = source !== undefined && isServer(source) ? () => serverPool(source, deadlines) : null;
  const directory =
    connect || source === undefined || source.startsWith('memory://')
      ? null
      : source.replace(/^file:\/\//, '');
  let release: () => void = () => undefined;
  let opening: Promise<Database> | null = null;
  return {
    open: () => {
      opening ??= (async () => {
        if (connect) return connect();
        if (directory !== null) release = lockDirectory(directory);
        return embedded(directory);
      })().catch((error: unknown) => {
        opening = null;
        release();
        throw error;
      });
      return opening;
    },
    close: async () => {
      try {
        const db = await opening?.catch(() => null);
        await db?.close();
      } finally {
        release();
      }
    },
  };
}

async function serverPool(url: string, { timeoutMs: t }: Deadlines): Promise<Database> {
  const { default: pg } = await driver<{ default: typeof import('pg') }>('pg', 'a PostgreSQL server');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: t,
    statement_timeout: t,
    query_timeout: t + 1_000,
    idle_in_transaction_session_timeout: 2 * t,
  });
  // an idle client losing its server is reported here; the next query reconnects
  pool.on('error', () => undefined);
  return fromPool(pool as unknown as ServerDatabase, () => pool.end());
}

async function embedded(directory: string | null): Promise<Database> {
  const { PGlite } = await driver<typeof import('@electric-sql/pglite')>(
    '@electric-sql/pglite',
    'the embedded database',
  );
  const db = new PGlite(directory ?? undefined);
  await db.waitReady;
  return fromPglite(db as unknown as EmbeddedDatabase, async () => {
    if (!db.closed) await db.close();
  });
}
