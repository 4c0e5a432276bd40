// Internal: one small query interface over the two drivers, so the store's SQL is written once.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Runs one parameterised statement and returns its rows (values are never spliced into SQL). */
export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

/** A database the store runs on: an embedded PGlite or a PostgreSQL server through a `pg` pool. */
export interface Database {
  query: Query;
  /** Runs `work` in one transaction; it is rolled back when `work` throws. */
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** `embedded` or `server`, for messages and figures. */
  kind: 'embedded' | 'server';
}

/** What `database` may be: see `ConnectionStoreOptions.database`. */
export type DatabaseSource = string | PGlite | pg.Pool | undefined;

function fromPglite(db: PGlite, owned: boolean): Database {
  return {
    kind: 'embedded',
    query: async (sql, params) => (await db.query(sql, params)).rows as never,
    transaction: (work) =>
      db.transaction((tx) => work(async (sql, params) => (await tx.query(sql, params)).rows as never)),
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}

function fromPool(pool: pg.Pool, owned: boolean): Database {
  return {
    kind: 'server',
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    async transaction(work) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(async (sql, params) => (await client.query(sql, params)).rows);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // a connection whose rollback failed is not given back to the pool
        client.release(broken);
      }
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

/**
 * Opens the database `source` names: nothing → an in-memory PGlite; `postgres://…` or
 * `postgresql://…` → a `pg` pool on that server; any other string → a PGlite kept in that directory;
 * a PGlite or a `pg.Pool` → used as it is and left open by `close()`.
 */
export function openDatabase(source: DatabaseSource): Database {
  if (source === undefined) return fromPglite(new PGlite(), true);
  if (source instanceof PGlite) return fromPglite(source, false);
  if (source instanceof pg.Pool) return fromPool(source, false);
  if (/^postgres(ql)?:\/\//i.test(source)) {
    const pool = new pg.Pool({ connectionString: source, max: 10, connectionTimeoutMillis: 5_000 });
    // an idle client losing its server is reported here; the next query reconnects
    pool.on('error', () => undefined);
    return fromPool(pool, true);
  }
  return fromPglite(new PGlite(source), true);
}
