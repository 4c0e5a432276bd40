// The Node adapter: any Fetch handler as a `node:http` / Express / Connect handler. It knows nothing
// of the handler it mounts: a Request goes in (its body streamed, read only if the handler reads it),
// a Response comes out.
import { errorResponse, invalidOptions } from './errors';

/**
 * A Fetch API handler, such as the one `createLinkHandler` returns.
 * @example
 * const handler: FetchHandler = async () => new Response('ok');
 */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * What {@link toNodeHandler} reads of a request: a subset of `node:http`'s `IncomingMessage`
 * (and so of Express's and Connect's requests). Declared structurally so that apps whose
 * TypeScript setup has no `@types/node` (Workers, Deno, Bun) can still use this package's types.
 * @example
 * createServer((req: IncomingMessage, res) => toNodeHandler(handler)(req, res)); // IncomingMessage fits
 */
export interface NodeRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: { host?: string | undefined; [name: string]: string | string[] | undefined };
  rawHeaders: string[];
  socket?: unknown;
  readableEnded: boolean;
  complete: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * What {@link toNodeHandler} writes to: a subset of `node:http`'s `ServerResponse`.
 * @example
 * createServer((req, res: ServerResponse) => toNodeHandler(handler)(req, res)); // ServerResponse fits
 */
export interface NodeResponse {
  statusCode: number;
  statusMessage: string;
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  setHeader(name: string, value: string | string[]): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  destroy(): unknown;
  on(event: string, listener: () => void): unknown;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * A `node:http` / Express / Connect request handler.
 * @example
 * const listener: NodeHandler = toNodeHandler(handler);
 * createServer(listener).listen(3000);
 */
export type NodeHandler = (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => void;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

function requestUrl(req: NodeRequest): string {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? 'localhost';
  // Express rewrites req.url under a mount path; originalUrl is what the client asked for.
  const path = (req as NodeRequest & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  try {
    return new URL(path.startsWith('/') ? path : `/${path}`, `${encrypted ? 'https' : 'http'}://${host}`)
      .href;
  } catch {
    return new URL(path.startsWith('/') ? path : '/', 'http://localhost').href;
  }
}

function requestHeaders(req: NodeRequest): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.startsWith(':') || HOP_BY_HOP.has(name.toLowerCase())) continue;
    try {
      headers.append(name, raw[i + 1] as string);
    } catch {
      // A header the Fetch API refuses (invalid characters) is dropped, as a browser would.
    }
  }
  return headers;
}

/**
 * Streams the IncomingMessage with backpressure. `discard()`, once the answer is written, stops
 * feeding the stream and drops the rest of the body, so that a body the handler did not read (a
 * refused request: the handlers never cancel a body) is neither kept in memory nor left to stall
 * the connection.
 */
function bodyStream(req: NodeRequest): { stream: ReadableStream<Uint8Array>; discard(): void } {
  type Listener = (...args: unknown[]) => void;
  let onData: Listener = () => undefined;
  let onEnd: Listener = () => undefined;
  let onError: Listener = () => undefined;
  const detach = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      onData = (chunk) => {
        const bytes =
          typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk as Uint8Array);
        controller.enqueue(bytes);
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      };
      onEnd = () => {
        detach();
        controller.close();
      };
      onError = (error) => {
        detach();
        controller.error(error);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    },
    pull() {
      req.resume();
    },
    cancel() {
      detach();
      req.resume();
    },
  });
  return {
    stream,
    discard: () => {
      if (req.readableEnded) return;
      detach();
      // flowing with no listener: the rest of the body is read and dropped
      req.resume();
    },
  };
}

/** The body a body parser (express.json(), …) already consumed, turned back into bytes. */
function parsedBody(body: unknown): BodyInit | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  return JSON.stringify(body);
}

/** The answer's headers as `writeHead` takes them, each `Set-Cookie` kept apart. */
function responseHeaders(response: Response): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/**
 * Writes the answer. A body that arrives in one chunk (every JSON answer of this package) goes out
 * with its head in one write and a Content-Length; a longer one streams with backpressure.
 */
async function writeResponse(response: Response, res: NodeResponse): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of Object.entries(responseHeaders(response))) res.setHeader(name, value);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    let next = await reader.read();
    if (next.done) return void res.end(first.value);
    let value: Uint8Array = first.value;
    for (;;) {
      if (res.destroyed) return void (await reader.cancel());
      if (!res.write(value)) await drained(res);
      if (next.done) break;
      value = next.value;
      next = await reader.read();
    }
  } finally {
    reader.releaseLock();
  }
  res.end();
}

function drained(res: NodeResponse): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      res.off('drain', go);
      res.off('close', go);
      resolve();
    };
    res.on('drain', go);
    res.on('close', go);
  });
}

/**
 * Mounts a Fetch API handler (such as `createLinkHandler`'s) on `node:http`, Express or
 * Connect. The request body is streamed to the handler (so the 4 KB limit counts real bytes);
 * mount it **before** body parsers. If a parser already consumed the body (`req.body` is set),
 * that value is used instead (a parsed object is re-serialized to JSON). Aborting the client
 * connection aborts `request.signal`. When the handler throws, the error goes to `next(error)` if
 * given, else the answer is a 500 `{ error: { code: 'internal_error' } }`.
 *
 * @param handler - `(request: Request) => Promise<Response>`.
 * @returns `(req, res, next?) => void`.
 *
 * @example
 * import express from 'express';
 * import { createLinkHandler, toNodeHandler } from '@oflink/server';
 *
 * const app = express();
 * app.post(
 *   '/api/oflink/session',
 *   toNodeHandler(createLinkHandler({ getClientReferenceId: (req) => userIdFromCookie(req) })),
 * );
 * app.listen(3000);
 */
export function toNodeHandler(handler: FetchHandler): NodeHandler {
  if (typeof handler !== 'function') {
    throw invalidOptions(
      'toNodeHandler(handler): handler must be a function (request: Request) => Promise<Response>.',
    );
  }
  return function nodeHandler(req, res, next) {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error('The client closed the connection.'));
    };
    res.once('close', onClose);
    // async, so that a Request the Fetch API refuses (an odd method) is an error like the handler's own
    const answer = async () => {
      // the body streams to the handler only when it reads it: its checks that need none answer first
      const { init, discard } = requestInit(req, controller.signal);
      await writeResponse(await handler(new Request(requestUrl(req), init)), res);
      discard();
    };
    answer().then(
      () => res.off('close', onClose),
      (error: unknown) => {
        res.off('close', onClose);
        failed(error, controller.signal, res, next);
      },
    );
  };
}

/** The Request's method, headers, body and signal, from the IncomingMessage, and how to drop an unread body. */
function requestInit(
  req: NodeRequest,
  signal: AbortSignal,
): { init: RequestInit & { duplex?: 'half' }; discard(): void } {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = requestHeaders(req);
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  const none = { init, discard: () => undefined };
  if (method === 'GET' || method === 'HEAD') return none;
  const already = (req as NodeRequest & { body?: unknown }).body;
  if (already === undefined || !(req.readableEnded || req.complete)) {
    const { stream, discard } = bodyStream(req);
    init.body = stream;
    init.duplex = 'half';
    return { init, discard };
  }
  const body = parsedBody(already);
  if (body !== null) {
    init.body = body;
    headers.delete('content-length');
  }
  return none;
}

/** A handler that threw (or an answer that could not be written): to `next`, else a 500. */
function failed(
  error: unknown,
  signal: AbortSignal,
  res: NodeResponse,
  next?: (error?: unknown) => void,
): void {
  // the client is gone: nobody to answer, nothing for an error handler to report
  if (signal.aborted) return void res.destroy();
  if (next) return void next(error);
  if (res.headersSent) return void res.destroy();
  // the handler threw instead of answering: answered as every error of the package is
  const answer = errorResponse(error, { caller: 'toNodeHandler', development: false });
  writeResponse(answer, res).catch(() => res.destroy());
}
