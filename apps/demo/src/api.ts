// type-only: erased from the bundle (clientBundle.test.ts checks that no server code ships)
import type { Connection } from '@oflink/server';

/** A connection as the confirm endpoint answers it: OFAuth's record, confirmed for this user. */
export type DemoConnection = Connection;

/** An error answered by the demo server (`{ error: { code, message } }`). */
export class DemoApiError extends Error {
  override name = 'DemoApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new DemoApiError('network_error', 'The demo server could not be reached.', 0);
  }
  const body = (await res.json().catch(() => null)) as
    | (T & { error?: undefined })
    | { error?: { code?: string; message?: string } }
    | null;
  if (!res.ok || !body) {
    const err = body?.error;
    throw new DemoApiError(
      err?.code ?? 'server_error',
      err?.message ?? `The demo server answered ${res.status}.`,
      res.status,
    );
  }
  return body as T;
}

/** Asks the server to confirm a connection the browser reported (the callback data is unsigned). */
export function confirmConnection(connectionId: string): Promise<{ connection: DemoConnection }> {
  return call('/api/oflink/confirm', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connectionId }),
  });
}

/** Which backend the server talks to. */
export function demoInfo(): Promise<{ backend: 'simulator' | 'ofauth' }> {
  return call('/api/demo');
}
