/**
 * What every method of a store from `createConnectionStore` throws when the database fails
 * (unreachable, refused, or closed). Nothing was written: the call can be retried as it is.
 * `@oflink/server`'s endpoints answer it with 503 `store_unavailable`.
 * @example
 * try {
 *   await store.list(userId);
 * } catch (error) {
 *   if (error instanceof ConnectionStoreError) return new Response('Try again', { status: 503 });
 *   throw error;
 * }
 */
export class ConnectionStoreError extends Error {
  override readonly name = 'ConnectionStoreError';
  /** Stable code, the one the endpoints answer with. */
  readonly code = 'store_unavailable' as const;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}
