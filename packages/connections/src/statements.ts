// Internal: the store's SQL, parameterised. The order rule: a change whose time is older than the
// newest one applied to its connection (`changed_at`) does not change the state, it only fills
// what the record lacks (owner, profile, permissions, creation time); at the same time, the one
// that arrives last wins. A disconnect always wins and is final: it erases the profile, and no
// later change touches the record.

const COLUMNS =
  'id, client_reference_id, status, user_data, permissions, created_at, changed_at, last_event, live';

/** Whether the incoming change (EXCLUDED) is the newest, or a disconnect. */
const NEWER = `(EXCLUDED.status = 'disconnected' OR c.changed_at <= EXCLUDED.changed_at)`;
/** The incoming value when the change is newer (else the record's), the other one filling a gap. */
const merged = (column: string) =>
  `CASE WHEN ${NEWER} THEN COALESCE(EXCLUDED.${column}, c.${column}) ELSE COALESCE(c.${column}, EXCLUDED.${column}) END`;
/** The same, erased by a disconnect. */
const personal = (column: string) =>
  `CASE WHEN EXCLUDED.status = 'disconnected' THEN NULL ELSE ${merged(column)} END`;

/**
 * A confirmed connection, as OFAuth lists it now. $1 id, $2 owner, $3 status, $4 user_data,
 * $5 permissions, $6 created_at, $7 OFAuth's updatedAt, $8 live|null.
 */
export const RECORD = `
  INSERT INTO oflink_connections AS c (${COLUMNS})
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, NULL, $8)
  ON CONFLICT (id) DO UPDATE SET
    client_reference_id = EXCLUDED.client_reference_id,
    user_data = EXCLUDED.user_data,
    permissions = EXCLUDED.permissions,
    created_at = COALESCE(c.created_at, EXCLUDED.created_at),
    status = CASE WHEN c.changed_at <= EXCLUDED.changed_at THEN EXCLUDED.status ELSE c.status END,
    changed_at = GREATEST(c.changed_at, EXCLUDED.changed_at),
    live = COALESCE(c.live, EXCLUDED.live)
  WHERE c.status <> 'disconnected'
  RETURNING ${COLUMNS}`;

/**
 * $1 message key, $2 lease in seconds. A row back: claimed now (new, or a claim whose server
 * stopped answering for longer than the lease). No row: handled, rejected or busy elsewhere.
 */
export const CLAIM_MESSAGE = `
  INSERT INTO oflink_webhook_messages AS m (id, received_at, state) VALUES ($1, now(), 'claimed')
  ON CONFLICT (id) DO UPDATE SET received_at = now(), state = 'claimed'
  WHERE m.state = 'claimed' AND m.received_at < now() - make_interval(secs => $2::float8)
  RETURNING id`;

/** $1 message key. */
export const MESSAGE_STATE = 'SELECT state FROM oflink_webhook_messages WHERE id = $1';

/** $1 message key: its handlers succeeded. */
export const MESSAGE_HANDLED = `UPDATE oflink_webhook_messages SET state = 'handled' WHERE id = $1`;

/** $1 message key: a handler failed; the sender's retry claims it again. */
export const MESSAGE_RELEASE = `DELETE FROM oflink_webhook_messages WHERE id = $1 AND state = 'claimed'`;

/** $1 message key: data that can never be stored, kept (and counted) so a redelivery is a duplicate. */
export const MESSAGE_REJECT = `
  INSERT INTO oflink_webhook_messages (id, received_at, state) VALUES ($1, now(), 'rejected')
  ON CONFLICT (id) DO UPDATE SET state = 'rejected'`;

/**
 * $1 id, $2 owner|null, $3 status, $4 user_data|null, $5 permissions|null, $6 created_at|null,
 * $7 event time, $8 type, $9 live|null.
 */
export const APPLY_CHANGE = `
  INSERT INTO oflink_connections AS c (${COLUMNS})
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9)
  ON CONFLICT (id) DO UPDATE SET
    status = CASE WHEN ${NEWER} THEN EXCLUDED.status ELSE c.status END,
    client_reference_id = ${merged('client_reference_id')},
    user_data = ${personal('user_data')},
    permissions = ${personal('permissions')},
    created_at = COALESCE(c.created_at, EXCLUDED.created_at),
    changed_at = GREATEST(c.changed_at, EXCLUDED.changed_at),
    last_event = CASE WHEN ${NEWER} THEN EXCLUDED.last_event ELSE c.last_event END,
    live = COALESCE(c.live, EXCLUDED.live)
  WHERE c.status <> 'disconnected'`;

/** $1 owner, $2 live|null (null: every kind). */
export const LIST = `
  SELECT ${COLUMNS} FROM oflink_connections
  WHERE client_reference_id = $1 AND status <> 'disconnected'
    AND ($2::boolean IS NULL OR live IS NULL OR live = $2::boolean)
  ORDER BY changed_at DESC, id`;

/** $1 id. */
export const FIND = `
  SELECT ${COLUMNS} FROM oflink_connections WHERE id = $1 AND status <> 'disconnected'`;

/** $1 id: the record whatever its status (a disconnected one included). */
export const FIND_ANY = `SELECT ${COLUMNS} FROM oflink_connections WHERE id = $1`;

/** $1 id: disconnected for good, the OnlyFans profile and permissions erased. */
export const REMOVE = `
  UPDATE oflink_connections
  SET status = 'disconnected', user_data = NULL, permissions = NULL, changed_at = GREATEST(changed_at, now())
  WHERE id = $1`;

/** $1 retention in seconds: message ids, then disconnected records, past it. */
export const PURGE_MESSAGES = `
  DELETE FROM oflink_webhook_messages WHERE received_at < now() - make_interval(secs => $1::float8)`;
export const PURGE_DISCONNECTED = `
  DELETE FROM oflink_connections
  WHERE status = 'disconnected' AND changed_at < now() - make_interval(secs => $1::float8)`;
