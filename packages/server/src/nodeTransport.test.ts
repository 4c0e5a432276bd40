// The node:http(s) transport against real local servers: what it sends, what it returns, and that it
// stops (and frees the socket) on an abort, an oversized or cut answer, and never keeps a process alive.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeTransport } from './nodeTransport';
import { listenOn } from './testSupport';
import { TEST_CERT, TEST_KEY } from './testTls';
import { MAX_UPSTREAM_BODY, TOO_LARGE_MESSAGE, type TransportRequest } from './upstream';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    }),
  );
});

/** A local server answering with `answer`; records every request, connection and socket close. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1') {
  const seen: Seen[] = [];
  const events = { connections: 0, closed: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    events.connections++;
    socket.on('close', () => {
      events.closed++;
    });
  });
  servers.push(server);
  let url: string;
  if (host === '127.0.0.1') url = await listenOn(server);
  else {
    await new Promise<void>((r) => server.listen(0, host, r));
    url = `http://[${host}]:${(server.address() as AddressInfo).port}`;
  }
  return { url, seen, events };
}

const request = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'POST',
  url,
  headers: { apiKey: 'sk_test_1', accept: 'application/json', 'content-type': 'application/json' },
  body: '{"clientReferenceId":"user_1"}',
  signal: new AbortController().signal,
  ...extra,
});

/** Runs one GET through nodeTransport in a fresh Node process; resolves with its exit code and output. */
async function callInChild(url: string, env: Record<string, string> = {}) {
  const script = `
    import { nodeTransport } from ${JSON.stringify(fileURLToPath(new URL('./nodeTransport.ts', import.meta.url)))};
    const answer = await nodeTransport({ method: 'GET', url: ${JSON.stringify(url)}, headers: {}, signal: new AbortController().signal });
    console.log(answer.text);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out: out.trim() };
}

/** A local https server with the test certificate; records what reached it. */
async function serveTls() {
  const seen: string[] = [];
  const server = createTlsServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${String(req.headers.apikey ?? '')}`);
    res.end('"over tls"');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/link/init`, seen };
}

/** Polls until `check` holds or 5 s pass; the assertion after it is on the state. */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('nodeTransport', () => {
  it('sends the method, path and query, headers and body as given, and returns status, headers and text', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'Retry-After': '3' }).end('{"ok":"é"}');
    });
    const answer = await nodeTransport(request(`${url}/prefix/v2/link/init?x=1`));
    expect(answer.status).toBe(201);
    expect(answer.text).toBe('{"ok":"é"}');
    expect(answer.header('retry-after')).toBe('3');
    expect(answer.header('Content-Type')).toBe('application/json');
    expect(answer.header('x-missing')).toBeNull();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/prefix/v2/link/init?x=1',
      body: '{"clientReferenceId":"user_1"}',
    });
    expect(seen[0]?.headers).toMatchObject({
      apikey: 'sk_test_1',
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': '30',
    });
  });

  it('sends a GET without a body', async () => {
    const { url, seen } = await serve((_req, res) => res.end('[]'));
    const { body: _omitted, ...get } = request(`${url}/v2/account/connections?limit=100`, { method: 'GET' });
    expect((await nodeTransport(get)).text).toBe('[]');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v2/account/connections?limit=100', body: '' });
    expect(seen[0]?.headers['content-length']).toBeUndefined();
  });

  it('reuses one kept-alive connection for calls one after another', async () => {
    const { url, events } = await serve((_req, res) => res.end('{}'));
    for (let i = 0; i < 3; i++) expect((await nodeTransport(request(url))).status).toBe(200);
    expect(events.connections).toBe(1);
  });

  it('returns a redirect as it is, without following it', async () => {
    const trap = await serve((_req, res) => res.end('{}'));
    const { url } = await serve((_req, res) => res.writeHead(307, { location: trap.url }).end());
    const answer = await nodeTransport(request(url));
    expect(answer.status).toBe(307);
    expect(answer.header('location')).toBe(trap.url);
    expect(trap.seen).toEqual([]);
  });

  it('reaches an IPv6 literal host', async () => {
    const { url } = await serve((_req, res) => res.end('"v6"'), '::1');
    expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await nodeTransport(request(url))).text).toBe('"v6"');
  });

  it(`rejects an answer over ${MAX_UPSTREAM_BODY} bytes and drops the connection`, async () => {
    const { url, events } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('x'.repeat(MAX_UPSTREAM_BODY));
      res.end('xx');
    });
    await expect(nodeTransport(request(url))).rejects.toThrow(TOO_LARGE_MESSAGE);
    await until(() => events.closed === 1);
    expect(events.closed).toBe(1);
  });

  it('accepts an answer of exactly the limit', async () => {
    const { url } = await serve((_req, res) => res.end('y'.repeat(MAX_UPSTREAM_BODY)));
    expect((await nodeTransport(request(url))).text).toHaveLength(MAX_UPSTREAM_BODY);
  });

  it("rejects with the signal's reason when it aborts while waiting, and drops the connection", async () => {
    const { url, events, seen } = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const pending = nodeTransport(request(url, { signal: controller.signal }));
    await until(() => seen.length === 1);
    const reason = new DOMException('Timed out after 5 ms.', 'TimeoutError');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await until(() => events.closed === 1);
    expect(events.closed).toBe(1);
  });

  it('rejects at once, without connecting, when the signal is already aborted', async () => {
    const { url, events } = await serve((_req, res) => res.end('{}'));
    const reason = new Error('gone');
    await expect(nodeTransport(request(url, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    expect(events.connections).toBe(0);
  });

  it('rejects when the server cuts the answer short', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(nodeTransport(request(url))).rejects.toThrow();
  });

  it('rejects with a network error when nothing listens', async () => {
    const { url } = await serve((_req, res) => res.end());
    const server = servers.pop() as Server;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(nodeTransport(request(url))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('never keeps a process alive: a script that made a call exits while the connection is still pooled', async () => {
    const { url, events } = await serve((_req, res) => res.end('{"ok":true}'));
    const { code, out } = await callInChild(url);
    expect(out).toBe('{"ok":true}');
    expect(code).toBe(0);
    // the server (keep-alive 60 s) did not close the connection: the child exited with it pooled
    expect(events.connections).toBe(1);
  }, 30_000);

  it("verifies the server's certificate over https: an untrusted one is refused before anything is sent", async () => {
    const { url, seen } = await serveTls();
    await expect(nodeTransport(request(url))).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(seen).toEqual([]);
  });

  it('reaches an https server whose certificate the process trusts', async () => {
    const { url, seen } = await serveTls();
    const dir = mkdtempSync(join(tmpdir(), 'oflink-tls-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), TEST_CERT);
      const { code, out } = await callInChild(url, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
      expect(out).toBe('"over tls"');
      expect(code).toBe(0);
      expect(seen).toEqual(['GET /v2/link/init ']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
