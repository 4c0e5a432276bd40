// A minimal W3C WebDriver client, for WebKitGTK's WebKitWebDriver (Debian's `webkit2gtk-driver`):
// the handful of commands the cross-engine flows use, over plain HTTP.

/** One WebDriver session. */
export interface WebDriverSession {
  id: string;
  /** Runs a command of the session (`POST /session/{id}/url` is `command('POST', 'url', …)`). */
  command<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A WebDriver error answer, as an Error with its WebDriver code (`no such element`, …). */
export class WebDriverError extends Error {
  override name = 'WebDriverError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** How long one command may take: a driver that never answers fails the command, named. */
const COMMAND_TIMEOUT_MS = 30_000;

async function request<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((error: unknown) => {
    throw new WebDriverError(
      'no answer',
      `${method} ${path.replace(/^\/session\/[^/]+\//, '')}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const json = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok) throw new WebDriverError(json.value?.error ?? String(res.status), json.value?.message ?? '');
  return json.value;
}

/** Starts a session on the driver at `base` with these capabilities. */
export async function newSession(
  base: string,
  capabilities: Record<string, unknown>,
): Promise<WebDriverSession> {
  const { sessionId } = await request<{ sessionId: string }>(base, 'POST', '/session', {
    capabilities: { alwaysMatch: capabilities },
  });
  return {
    id: sessionId,
    command: (method, path, body) =>
      request(
        base,
        method,
        `/session/${sessionId}${path ? `/${path}` : ''}`,
        method === 'GET' ? undefined : (body ?? {}),
      ),
  };
}

/** The element reference the driver gives for a CSS selector, or null when there is none. */
export async function find(
  session: WebDriverSession,
  selector: string,
): Promise<{ [ELEMENT]: string } | null> {
  try {
    return await session.command('POST', 'element', { using: 'css selector', value: selector });
  } catch (error) {
    if (error instanceof WebDriverError && error.code === 'no such element') return null;
    throw error;
  }
}

/** The id inside an element reference. */
export const elementId = (ref: { [ELEMENT]: string }): string => ref[ELEMENT];
