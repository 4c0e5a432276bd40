// Internal: every call into the app's connection store goes through here, so that any failure of
// it is one answer: 503 `store_unavailable`, with the cause kept for the log.
import { OflinkServerError } from './OflinkServerError';
import { sanitizeCause } from './redact';

/** Runs `work` against the store; a throw or rejection becomes `store_unavailable` (503). */
export async function fromStore<T>(what: string, work: () => Promise<T>, secrets: string[] = []): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new OflinkServerError('store_unavailable', 503, `The connection store failed to ${what}.`, {
      cause: sanitizeCause(error, secrets),
    });
  }
}
