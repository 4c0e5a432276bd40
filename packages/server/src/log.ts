// Internal: what the server says in its log when the app gave no `onError` of its own. Messages are
// already free of the apiKey and session URLs (see redact.ts); nothing else is printed.
import type { OflinkServerError } from './OflinkServerError';

const said = new Set<string>();
/** Distinct repeated lines kept in memory at most (an attacker must not grow the set). */
const MAX_REMEMBERED = 200;

/**
 * Prints `error` to the console as one line: `[oflink] <where>: <code> (<status>): <message>`.
 * With `onceKey`, a line with the same key is printed only once per process.
 */
export function logError(where: string, error: OflinkServerError, onceKey?: string): void {
  if (onceKey !== undefined) {
    if (said.has(onceKey)) return;
    if (said.size < MAX_REMEMBERED) said.add(onceKey);
  }
  console.error(`[oflink] ${where}: ${error.code} (${error.status}): ${error.message}`);
}

/** Calls the app's `onError`, or logs when it gave none; a failing `onError` changes nothing. */
export function reportTo(
  onError: ((error: OflinkServerError) => unknown) | undefined,
  where: string,
  error: OflinkServerError,
  onceKey?: string,
): void {
  if (!onError) {
    logError(where, error, onceKey);
    return;
  }
  try {
    const result = onError(error);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // A failing logger must not change the answer.
  }
}

const loggedKinds = new Set<string>();
/**
 * The log line of a webhook failure when the app gave no `onError`: every failing handler, and
 * each kind of rejected message, and of failed reconciling, once.
 */
export function logWebhookError(error: unknown, context: { stage: string; messageId?: string }): void {
  const kind = (error as { code?: unknown } | null)?.code;
  const code = typeof kind === 'string' ? kind : 'error';
  // a wrong secret fails every delivery, a missing apiKey every untimed event: one line each says so
  if (context.stage === 'verify' || context.stage === 'reconcile') {
    if (loggedKinds.has(`${context.stage}:${code}`)) return;
    loggedKinds.add(`${context.stage}:${code}`);
  }
  const what = error instanceof Error ? error.message : String(error);
  const id = context.messageId ? ` ${context.messageId}` : '';
  console.error(`[oflink] createWebhookHandler: ${context.stage} failed${id} (${code}): ${what}`);
}
