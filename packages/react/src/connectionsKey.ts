import { ROUTES } from '@oflink/core/internal';

/** The start of every connections list key: what a successful connect refreshes. */
export const CONNECTIONS_KEY_ROOT = ['oflink', 'connections'] as const;

/**
 * The react-query key of a connections list. Every key starts with `['oflink', 'connections']`,
 * which is what a successful connect refreshes.
 *
 * @example
 * queryClient.invalidateQueries({ queryKey: connectionsQueryKey() });
 */
export function connectionsQueryKey(endpoint: string = ROUTES.connections): readonly unknown[] {
  return [...CONNECTIONS_KEY_ROOT, endpoint];
}
