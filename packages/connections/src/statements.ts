// Internal: the store's SQL, parameterised. A `disconnected` record is final, and a change older
// than the record's newest (`changed_at`) leaves it as it is, so a late retry changes nothing.
// Times are compared to the second: an event without an envelope time is timed by its signed
// header, which has whole seconds; within one second the change that arrives last wins.

const COLUMNS = 'id, client_reference_id, status, user_data, permissions, created_at, changed_at, last_event';

/** $1 id, $2 owner, $3 status, $4 user_data, $5 permissions, $6 created_at, $7 OFAuth's updatedAt. */
export const RECORD = `
  INSERT INTO oflink_connections AS c (${COLUMNS})
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, NULL)
  ON CONFLICT (id) DO UPDATE SET
    client_reference_id = EXCLUDED.client_reference_id,
    user_data = EXCLUDED.user_data,
    permissions = EXCLUDED.permissions,
    created_at = EXCLUDED.created_at,
    status = CASE WHEN date_trunc('second', c.changed_at) <= EXCLUDED.changed_at
      THEN EXCLUDED.status ELSE c.status END,
    changed_at = GREATEST(c.changed_at, EXCLUDED.changed_at)
  WHERE c.status <> 'disconnected'
  RETURNING ${COLUMNS}`;

/** $1 message id. No row back: the message was applied before. */
export const CLAIM_MESSAGE = `
  INSERT INTO oflink_webhook_messages (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id`;

/** $1 id, $2 owner|null, $3 status, $4 user_data|null, $5 permissions|null, $6 created_at|null, $7 event time, $8 type. */
export const APPLY_CHANGE = `
  INSERT INTO oflink_connections AS c (${COLUMNS})
  VALUES ($1, $2, $3, $4::jsonb, COALESCE($5::jsonb, '[]'::jsonb), $6, $7, $8)
  ON CONFLICT (id) DO UPDATE SET
    client_reference_id = COALESCE(EXCLUDED.client_reference_id, c.client_reference_id),
    status = EXCLUDED.status,
    user_data = COALESCE(EXCLUDED.user_data, c.user_data),
    permissions = COALESCE($5::jsonb, c.permissions),
    created_at = COALESCE(EXCLUDED.created_at, c.created_at),
    changed_at = GREATEST(c.changed_at, EXCLUDED.changed_at),
    last_event = EXCLUDED.last_event
  WHERE c.status <> 'disconnected' AND date_trunc('second', c.changed_at) <= EXCLUDED.changed_at`;

/** $1 owner. */
export const LIST = `
  SELECT ${COLUMNS} FROM oflink_connections
  WHERE client_reference_id = $1 AND status <> 'disconnected'
  ORDER BY changed_at DESC, id`;

/** $1 id. */
export const FIND = `
  SELECT ${COLUMNS} FROM oflink_connections WHERE id = $1 AND status <> 'disconnected'`;

/** $1 id: the record whatever its status (a disconnected one included). */
export const FIND_ANY = `SELECT ${COLUMNS} FROM oflink_connections WHERE id = $1`;

/** $1 id. */
export const REMOVE = `
  UPDATE oflink_connections SET status = 'disconnected', changed_at = GREATEST(changed_at, now())
  WHERE id = $1`;
