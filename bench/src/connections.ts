// Measure: the connection store at scale: a user's list and one webhook message applied (claimed
// with its change, then settled, as the webhook handler does), median and p95 of many calls, on a
// PostgreSQL server with 1,000,000 stored connections (and as many message ids) both durable (fsync
// on) and not (fsync off), and on the embedded database with 100,000; each against the same calls
// on a store of 1,000 connections measured in the same run (the ratio shows whether the indexes
// hold as the table grows).
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createConnectionStore, type PostgresConnectionStore } from '@oflink/connections';
import pg from 'pg';
import { startPostgres } from '../../packages/connections/test/postgresServer';
import { log, median, quantile, type Row, ratio, round } from './common';

const LARGE = Number(process.env.BENCH_CONNECTIONS ?? 1_000_000);
const LARGE_EMBEDDED = Number(process.env.BENCH_CONNECTIONS_EMBEDDED ?? 100_000);
const SMALL = 1_000;
const CALLS = Number(process.env.BENCH_STORE_CALLS ?? 400);
/** Connections per user in the seeded table. */
const PER_USER = 2;

/** One seeded table, in the shape the store writes, plus as many applied message ids. */
function seedSql(n: number): string[] {
  return [
    `INSERT INTO oflink_connections
       (id, client_reference_id, status, user_data, permissions, created_at, changed_at, last_event, live)
     SELECT 'conn_bench_' || g, 'user_bench_' || (g % ${Math.max(1, n / PER_USER)}),
       CASE WHEN g % 10 = 0 THEN 'expired' ELSE 'active' END,
       jsonb_build_object('id', g::text, 'name', null, 'username', 'u' || g, 'avatar', null),
       '["profile:read"]'::jsonb, now() - interval '30 days', now() - (g || ' seconds')::interval, null, false
     FROM generate_series(1, ${n}) g`,
    `INSERT INTO oflink_webhook_messages (id) SELECT 'msg_bench_' || g FROM generate_series(1, ${n}) g`,
    'VACUUM ANALYZE',
  ];
}

async function timed(calls: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await work(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

interface Figures {
  list: number[];
  apply: number[];
}

/** A user's list and one fresh event applied, `CALLS` times each, on a store of `n` connections. */
async function measureStore(store: PostgresConnectionStore, n: number): Promise<Figures> {
  const users = Math.max(1, n / PER_USER);
  const pick = (i: number) => (i * 7919) % users;
  await timed(20, (i) => store.list(`user_bench_${pick(i)}`)); // warm-up
  const list = await timed(CALLS, (i) => store.list(`user_bench_${pick(i)}`));
  const apply = await timed(CALLS, async (i) => {
    const messageId = `msg_${randomUUID()}`;
    await store.claimMessage(messageId, {
      type: 'connection.updated',
      timestamp: new Date().toISOString(),
      connection: { id: `conn_bench_${(i * 104_729) % n || 1}`, status: 'active' },
      clientReferenceId: null,
      live: false,
    });
    await store.settleMessage(messageId, 'handled');
  });
  return { list, apply };
}

async function embedded(n: number): Promise<Figures> {
  const db = new PGlite();
  const store = createConnectionStore({ database: db });
  try {
    await store.ready();
    for (const sql of seedSql(n)) await db.exec(sql);
    return await measureStore(store, n);
  } finally {
    await store.close();
    await db.close();
  }
}

async function onServer(url: string, n: number): Promise<Figures> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `bench_${n}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url.replace(/\/postgres$/, `/${name}`), max: 4 });
  const store = createConnectionStore({ database: pool });
  try {
    await store.ready();
    for (const sql of seedSql(n)) await pool.query(sql);
    return await measureStore(store, n);
  } finally {
    await store.close();
    await pool.end();
  }
}

function rows(kind: string, n: number, large: Figures, small: Figures): Row[] {
  const row = (what: 'list' | 'apply', label: string): Row => {
    const measured = round(median(large[what]), 2);
    const baseline = round(median(small[what]), 2);
    const r = ratio(measured, baseline);
    return {
      area: 'connections',
      measure: `${label}, ${kind}, ${n.toLocaleString('en-US')} stored (median; baseline ${SMALL.toLocaleString('en-US')} stored)`,
      goal: '≤ 2× baseline',
      measured,
      baseline,
      ratio: r,
      met: r !== null && r <= 2,
      unit: 'ms',
      note: `${CALLS} sequential calls each; p95 ${round(quantile(large[what], 0.95), 2)} ms (baseline ${round(quantile(small[what], 0.95), 2)} ms)`,
    };
  };
  return [row('list', "a user's list"), row('apply', 'a webhook message claimed, applied and settled')];
}

/** The connection store figures: a PostgreSQL server durable and not, and the embedded database. */
export async function measureConnections(): Promise<Row[]> {
  const out: Row[] = [];
  for (const durable of [true, false]) {
    const server = await startPostgres({ durable });
    const kind = `PostgreSQL server, fsync ${durable ? 'on (durable)' : 'off (not durable)'}`;
    try {
      log(`connections: ${kind}, ${SMALL} then ${LARGE} stored`);
      const small = await onServer(server.url, SMALL);
      const large = await onServer(server.url, LARGE);
      out.push(...rows(kind, LARGE, large, small));
    } finally {
      await server.destroy();
    }
  }
  log(`connections: embedded, ${SMALL} then ${LARGE_EMBEDDED} stored`);
  const embeddedSmall = await embedded(SMALL);
  out.push(...rows('embedded PGlite', LARGE_EMBEDDED, await embedded(LARGE_EMBEDDED), embeddedSmall));
  return out;
}
