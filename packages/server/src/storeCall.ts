// Internal: every call into the app's connection store goes through here, with a deadline, so
// that a stalled or failing store is one answer: 503 `store_unavailable`, the cause kept for the log.
import { OflinkServerError } from './OflinkServerError';
import { sanitizeCause } from './redact';

/** `work()`, or a rejection once `timeoutMs` passed without its answer (the work itself goes on). */
export async function withDeadline<T>(work: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The store did not ${what} within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` against the store; a throw, a rejection or the deadline becomes `store_unavailable` (503). */
export async function fromStore<T>(
  what: string,
  work: () => Promise<T>,
  timeoutMs: number,
  secrets: string[] = [],
): Promise<T> {
  try {
    return await withDeadline(work, timeoutMs, what);
  } catch (error) {
    throw new OflinkServerError('store_unavailable', 503, `The connection store failed to ${what}.`, {
      cause: sanitizeCause(error, secrets),
    });
  }
}

/** Whether a store refused its input as data that can never be stored (`code: 'invalid_data'`). */
export function isInvalidData(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'invalid_data';
}
