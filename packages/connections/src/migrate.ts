// Internal: the schema, created and upgraded by the store itself when it opens.
import type { Database, Query } from './database';

/**
 * One statement of a schema version. Table changes run together in one transaction with the
 * version row; on a PostgreSQL server, an index on a table that may already be large is built
 * `CONCURRENTLY`, outside any transaction, so writes go on meanwhile (the embedded database has one
 * connection: nothing writes meanwhile, and it builds it in the transaction). Every statement can
 * run twice: a server that died half-way leaves the version unrecorded, and the next one runs it again.
 */
type Step = { sql: string } | { index: string; on: string };

const VERSIONS: Step[][] = [
  [
    {
      sql: `CREATE TABLE IF NOT EXISTS oflink_connections (
        id text PRIMARY KEY,
        client_reference_id text,
        status text NOT NULL,
        user_data jsonb,
        permissions jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz,
        changed_at timestamptz NOT NULL,
        last_event text
      )`,
    },
    {
      sql: `CREATE INDEX IF NOT EXISTS oflink_connections_owner
        ON oflink_connections (client_reference_id, changed_at DESC) WHERE status <> 'disconnected'`,
    },
    {
      sql: `CREATE TABLE IF NOT EXISTS oflink_webhook_messages (
        id text PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      )`,
    },
  ],
  [
    // live or sandbox; null while no confirmation or event said
    { sql: 'ALTER TABLE oflink_connections ADD COLUMN IF NOT EXISTS live boolean' },
    // null: never reported (an older event may still fill it)
    {
      sql: 'ALTER TABLE oflink_connections ALTER COLUMN permissions DROP NOT NULL, ALTER COLUMN permissions DROP DEFAULT',
    },
    // claimed (handlers running), handled, or rejected (data that can never be stored)
    {
      sql: `ALTER TABLE oflink_webhook_messages ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'handled'`,
    },
    { index: 'oflink_webhook_messages_received', on: 'oflink_webhook_messages (received_at)' },
    {
      index: 'oflink_connections_disconnected',
      on: `oflink_connections (changed_at) WHERE status = 'disconnected'`,
    },
  ],
];

/** The newest schema version (for tests). */
export const SCHEMA_VERSION = VERSIONS.length;

const LOCK = `hashtext('oflink_connections_schema')`;
const createIndex = (step: { index: string; on: string }, concurrently: boolean) =>
  `CREATE INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF NOT EXISTS ${step.index} ON ${step.on}`;

/**
 * Brings the schema to the newest version. On a server, several app servers may start at once: a
 * session advisory lock makes them take turns, and each sees what the one before did (a session
 * lock, not a transaction's, because a concurrent index build cannot run inside a transaction). On
 * the embedded database, the whole upgrade is one transaction, which excludes every other statement.
 */
export async function migrate(db: Database): Promise<void> {
  if (!db.session) {
    await db.transaction(async (query) => {
      await query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      for (let v = await version(query); v < VERSIONS.length; v++) {
        for (const step of VERSIONS[v] as Step[])
          await query('sql' in step ? step.sql : createIndex(step, false));
        await query('INSERT INTO oflink_schema (version) VALUES ($1)', [v + 1]);
      }
    });
    return;
  }
  await db.session(async (query) => {
    if ((await version(query)) === VERSIONS.length) return;
    await lock(query);
    try {
      // an index build on a large table may take longer than the pool's statement deadline
      await query('SET statement_timeout = 0');
      for (let v = await version(query); v < VERSIONS.length; v++) await upgrade(query, v);
    } finally {
      await query('RESET statement_timeout').catch(() => undefined);
      await query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    }
  });
}

/**
 * Takes the schema lock, trying again every 100 ms. Not `pg_advisory_lock`: a server blocked in it
 * sits in an open statement, and a concurrent index build by the holder waits for every open
 * statement to end, which would wait for the holder: a deadlock.
 */
async function lock(query: Query): Promise<void> {
  for (;;) {
    const [row] = await query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`);
    if (row?.locked) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The version the database is at (0 for a new one). */
async function version(query: Query): Promise<number> {
  await query('CREATE TABLE IF NOT EXISTS oflink_schema (version integer NOT NULL)');
  const rows = await query<{ version: number | null }>('SELECT max(version) AS version FROM oflink_schema');
  return rows[0]?.version ?? 0;
}

/** On a server, version `v` + 1: its table changes in one transaction, then its concurrent index builds. */
async function upgrade(query: Query, v: number): Promise<void> {
  const steps = VERSIONS[v] as Step[];
  await query('BEGIN');
  try {
    for (const step of steps) if ('sql' in step) await query(step.sql);
    await query('COMMIT');
  } catch (error) {
    await query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  for (const step of steps) {
    if ('sql' in step) continue;
    // a build that died half-way leaves an invalid index that IF NOT EXISTS would keep
    const [left] = await query<{ valid: boolean }>(
      'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
      [step.index],
    );
    if (left && !left.valid) await query(`DROP INDEX CONCURRENTLY IF EXISTS ${step.index}`);
    await query(createIndex(step, true));
  }
  await query('INSERT INTO oflink_schema (version) VALUES ($1)', [v + 1]);
}
