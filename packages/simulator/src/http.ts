import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One answer of the simulator, written at once by {@link send}. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer. */
export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});

/** A 405 naming the allowed method. */
export const notAllowed = (allow: string): Reply => json(405, { error: 'Method not allowed' }, { allow });

/** Writes a reply. */
export function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/** The request body as text, refused beyond `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Whether a socket address is this machine (the admin routes answer nobody else). */
export const isLoopback = (addr: string | undefined): boolean =>
  !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Random letters and digits, for ids (`cs_…`, `conn_…`). */
export const rand = (bytes: number): string => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
