// Internal: keeps the apiKey, session URLs and session secrets out of anything that leaves the package
// (error messages, `cause`, response bodies).

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>`]+/gi;
const SESSION_TOKEN = /\bcs_[A-Za-z0-9_-]+/g;
const KEY_TOKEN = /\bsk_[A-Za-z0-9_-]+/g;
const MAX_TEXT = 300;

/** Redacts secrets, session ids, keys and every URL's path and query (its origin stays: it helps debugging). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  out = out.replace(URL_PATTERN, (match) => {
    try {
      const u = new URL(match);
      return u.pathname === '/' && !u.search && !u.hash ? u.origin : `${u.origin}/[redacted]`;
    } catch {
      return '[redacted-url]';
    }
  });
  out = out.replace(SESSION_TOKEN, 'cs_[redacted]').replace(KEY_TOKEN, 'sk_[redacted]');
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}

/**
 * A copy of `error` safe to hand to `onError`: same name, redacted message, a string `code` if it had
 * one, the redacted chain of causes (depth-limited) and a redacted stack.
 */
export function sanitizeCause(error: unknown, secrets: readonly string[], depth = 0): Error {
  if (!(error instanceof Error)) {
    let text: string;
    try {
      text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
    } catch {
      text = Object.prototype.toString.call(error);
    }
    return new Error(redact(`Non-Error thrown: ${text}`, secrets));
  }
  const inner =
    error.cause !== undefined && depth < 3 ? sanitizeCause(error.cause, secrets, depth + 1) : undefined;
  const copy = new Error(redact(String(error.message), secrets), inner ? { cause: inner } : undefined);
  copy.name = redact(String(error.name), secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = redact(code, secrets);
  if (typeof error.stack === 'string') {
    const lines = error.stack.split('\n').map((line) => redact(line, secrets));
    copy.stack = lines.join('\n');
  }
  return copy;
}
