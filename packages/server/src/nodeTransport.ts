// Internal: the transport the Node entry (`src/node.ts`) uses to reach OFAuth when the app passes no
// `fetch`: node:http / node:https through one keep-alive agent each. Node's fetch (undici) builds a
// Request, a Response, web streams and abort plumbing for every call; this asks the same of OFAuth
// for about a fifth of the CPU (bench/README.md, measure 3). Same contract as the fetch transport:
// never follows a redirect, reads at most 1 MB, stops at once when the signal aborts.
import { Buffer } from 'node:buffer';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { MAX_UPSTREAM_BODY, TOO_LARGE_MESSAGE, type Transport, type TransportAnswer } from './upstream';

let httpAgent: HttpAgent | undefined;
let httpsAgent: HttpsAgent | undefined;

/** The shared keep-alive agent of the scheme, made on first use. */
function agentFor(secure: boolean): HttpAgent {
  if (secure) {
    httpsAgent ??= new HttpsAgent({ keepAlive: true });
    return httpsAgent;
  }
  httpAgent ??= new HttpAgent({ keepAlive: true });
  return httpAgent;
}

/**
 * Sends one request over `node:http(s)` with a shared keep-alive agent (idle sockets are unref'd,
 * so they never keep a process alive, and Node drops them before a server's `Keep-Alive: timeout`).
 *
 * @example
 * setDefaultTransport(nodeTransport); // what src/node.ts does
 */
export const nodeTransport: Transport = ({ method, url, headers, body, signal }) =>
  new Promise<TransportAnswer>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const sentHeaders =
      body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };

    let settled = false;
    const finish = (error: unknown, answer?: TransportAnswer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (answer) resolve(answer);
      else {
        req.destroy();
        reject(error);
      }
    };
    const onAbort = () => finish(signal.reason);

    const req = send(
      {
        method,
        protocol: target.protocol,
        // an IPv6 literal comes bracketed in a URL, bare in a request option
        hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        headers: sentHeaders,
        agent: agentFor(secure),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_UPSTREAM_BODY) finish(new Error(TOO_LARGE_MESSAGE));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks, size).toString('utf8');
          const answerHeaders = res.headers;
          finish(null, {
            status: res.statusCode ?? 0,
            header: (name) => {
              const v = answerHeaders[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
            text,
          });
        });
        res.on('error', (error) => finish(error));
        res.on('close', () => {
          if (!res.complete)
            finish(new Error('OFAuth closed the connection before the answer was complete.'));
        });
      },
    );
    req.on('error', (error) => finish(error));
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
