/**
 * Why a store call failed:
 * - `store_unavailable`: the database is unreachable, refused, too slow or closed; nothing was
 *   written and the call can be retried as it is (`@oflink/server` answers 503 `store_unavailable`);
 * - `invalid_data`: this input can never be stored (an id or a value out of bounds); retrying
 *   cannot help (the webhook handler answers such a message 2xx, reports and counts it);
 * - `store_locked`: the embedded database's directory is open in another process;
 * - `driver_missing`: the package of the chosen database is not installed (the message names it);
 * - `invalid_options`: an option of `createConnectionStore` is wrong (thrown when it is created).
 * @example
 * const retryable = (code: ConnectionStoreErrorCode) => code === 'store_unavailable';
 */
export type ConnectionStoreErrorCode =
  | 'store_unavailable'
  | 'invalid_data'
  | 'store_locked'
  | 'driver_missing'
  | 'invalid_options';

/**
 * What every method of a store from `createConnectionStore` throws (and `createConnectionStore`
 * itself for `store_locked`). Switch on `code`; `cause` holds the database's own error.
 * @example
 * try {
 *   await store.list(userId);
 * } catch (error) {
 *   if (error instanceof ConnectionStoreError && error.code === 'store_unavailable')
 *     return new Response('Try again', { status: 503 });
 *   throw error;
 * }
 */
export class ConnectionStoreError extends Error {
  override readonly name = 'ConnectionStoreError';
  /** Stable code; `store_unavailable` is the one the endpoints answer with. */
  readonly code: ConnectionStoreErrorCode;

  constructor(code: ConnectionStoreErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

/**
 * PostgreSQL's error classes that say the input itself can never be stored: data exceptions (22:
 * a NUL byte, a value out of range), integrity violations (23) and program limits (54: an index
 * row too large). Every other failure is the database's, and retryable.
 */
const DATA_CLASSES = ['22', '23', '54'];

/** The store's error for a failure of the database while it did `what`. */
export function storeFailure(what: string, error: unknown): ConnectionStoreError {
  if (error instanceof ConnectionStoreError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const sqlState = (error as { code?: unknown } | null)?.code;
  const data = typeof sqlState === 'string' && DATA_CLASSES.includes(sqlState.slice(0, 2));
  return new ConnectionStoreError(
    data ? 'invalid_data' : 'store_unavailable',
    `The connection store could not ${what}: ${reason}`,
    error,
  );
}
