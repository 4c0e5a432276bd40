// Internal: the schema, created and upgraded by the store itself when it opens.
import type { Database } from './database';

/** Each step runs once, in order, in one transaction with its version row. */
const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE oflink_connections (
       id text PRIMARY KEY,
       client_reference_id text,
       status text NOT NULL,
       user_data jsonb,
       permissions jsonb NOT NULL DEFAULT '[]',
       created_at timestamptz,
       changed_at timestamptz NOT NULL,
       last_event text
     )`,
    `CREATE INDEX oflink_connections_owner ON oflink_connections (client_reference_id, changed_at DESC)
       WHERE status <> 'disconnected'`,
    `CREATE TABLE oflink_webhook_messages (
       id text PRIMARY KEY,
       received_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
];

/** How long applied message ids are kept: far past the sender's last retry. */
const MESSAGE_RETENTION = '30 days';

/**
 * Brings the schema to the newest version. Several servers may open the same database at once: an
 * advisory lock held for the transaction makes them take turns, and each sees what the one before did.
 */
export async function migrate(db: Database): Promise<void> {
  await db.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(hashtext('oflink_connections_schema'))`);
    await query('CREATE TABLE IF NOT EXISTS oflink_schema (version integer NOT NULL)');
    const rows = await query<{ version: number }>('SELECT max(version) AS version FROM oflink_schema');
    const current = rows[0]?.version ?? 0;
    for (let v = current; v < MIGRATIONS.length; v++) {
      for (const statement of MIGRATIONS[v]!) await query(statement);
      await query('INSERT INTO oflink_schema (version) VALUES ($1)', [v + 1]);
    }
    await query(
      `DELETE FROM oflink_webhook_messages WHERE received_at < now() - interval '${MESSAGE_RETENTION}'`,
    );
  });
}

/** The newest schema version (for tests). */
export const SCHEMA_VERSION = MIGRATIONS.length;
