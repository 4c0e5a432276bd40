// Internal: the checks every handler factory makes of its options object, so that each mistake
// throws the same `invalid_options` error with the same sentence.
import { invalidOptions } from './OflinkServerError';

const STORE_METHODS = ['record', 'claimMessage', 'settleMessage', 'list', 'find', 'remove'];

/** Whether `value` has the methods of a `ConnectionStore`. */
export function isConnectionStore(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const store = value as Record<string, unknown>;
  return STORE_METHODS.every((m) => typeof store[m] === 'function');
}

const WHAT: Record<string, string> = {
  getClientReferenceId: 'a function (request) => the signed-in user id, or null when nobody is signed in',
};

/**
 * Throws `invalid_options` unless `options` is an object whose named callbacks are functions
 * (`required` ones present) and whose `store`, when given (or required), is a ConnectionStore.
 */
export function checkHandlerOptions<T extends object>(
  options: T,
  caller: string,
  callbacks: readonly (keyof T & string)[],
  required: readonly (keyof T & string)[] = [],
): void {
  if (options === null || typeof options !== 'object')
    throw invalidOptions(`${caller}: pass an options object.`);
  const given = options as Record<string, unknown>;
  for (const name of callbacks) {
    const needed = required.includes(name);
    if ((needed || given[name] !== undefined) && typeof given[name] !== 'function')
      throw invalidOptions(`${caller}: ${name} must be ${WHAT[name] ?? 'a function'}.`);
  }
  if (
    (required.includes('store' as keyof T & string) || given.store !== undefined) &&
    !isConnectionStore(given.store)
  )
    throw invalidOptions(
      `${caller}: store must be a ConnectionStore (${STORE_METHODS.join(', ')}), e.g. createConnectionStore() of @oflink/connections.`,
    );
}
