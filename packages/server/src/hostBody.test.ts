// A refused request never cancels the request body: the stream belongs to the host's adapter, which
// may go on writing into it (React Router's Node listener does, and exits the process when the
// stream was cancelled). The host's stream here throws on a write after a cancel, as theirs does.
// The real React Router servers are driven in examples/ (every refusal, then a request still served).
import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../test/support';
import { createConfirmHandler } from './confirm';
import { createConnectionsHandler } from './connections';
import { createLinkHandler } from './session';
import { createWebhookHandler } from './webhook/handler';

/** A body the host keeps writing into, chunk by chunk, after the handler answered. */
function hostBody(chunks: number, size = 1024) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const host = { cancelled: false, writes: 0, failures: [] as unknown[] };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        host.cancelled = true;
      },
    },
    { highWaterMark: 1 << 20, size: (chunk) => chunk?.byteLength ?? 0 },
  );
  const pump = async () => {
    for (let i = 0; i < chunks; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        if (host.cancelled) throw new TypeError('Invalid state: Controller is already closed');
        controller.enqueue(new Uint8Array(size).fill(123));
        host.writes++;
      } catch (error) {
        host.failures.push(error);
      }
    }
    try {
      if (host.cancelled) throw new TypeError('Invalid state: Controller is already closed');
      controller.close();
    } catch (error) {
      host.failures.push(error);
    }
  };
  return { stream, host, pump };
}

const user = () => 'user_1';
const session = createLinkHandler({
  apiKey: 'sk_test',
  getClientReferenceId: user,
  onError: () => undefined,
});
const confirm = createConfirmHandler({
  apiKey: 'sk_test',
  getClientReferenceId: user,
  onError: () => undefined,
});
const store = {
  record: async () => ({}) as never,
  claimMessage: async () => 'claimed' as const,
  settleMessage: async () => undefined,
  list: async () => [],
  find: async () => null,
  remove: async () => undefined,
};
const connections = createConnectionsHandler({ apiKey: 'sk_test', store, getClientReferenceId: user });
const webhooks = createWebhookHandler({
  secret: WEBHOOK_SECRET,
  on: {},
  maxBodyBytes: 4096,
  onError: () => undefined,
});

const cases: [
  string,
  (r: Request) => Promise<Response>,
  RequestInit & { headers: Record<string, string> },
  number,
][] = [
  [
    'a text/plain session request (415)',
    session,
    { method: 'POST', headers: { 'content-type': 'text/plain' } },
    415,
  ],
  [
    'a cross-site session request (403)',
    session,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.test',
      },
    },
    403,
  ],
  [
    'a declared 60 kB session body (413)',
    session,
    { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '60000' } },
    413,
  ],
  [
    'a session body larger than it said (413)',
    session,
    { method: 'POST', headers: { 'content-type': 'application/json' } },
    413,
  ],
  ['a PUT to the session endpoint (405)', session, { method: 'PUT', headers: {} }, 405],
  [
    'a text/plain confirm request (415)',
    confirm,
    { method: 'POST', headers: { 'content-type': 'text/plain' } },
    415,
  ],
  [
    "a DELETE with a body to the connections endpoint, another user's (404)",
    connections,
    { method: 'DELETE', headers: { 'content-type': 'application/json' } },
    404,
  ],
  [
    'a webhook body over maxBodyBytes (413)',
    webhooks,
    { method: 'POST', headers: { 'content-type': 'application/json' } },
    413,
  ],
];

describe('a refused request leaves the body stream to its host', () => {
  it.each(cases)('%s', async (_what, handler, init, status) => {
    const { stream, host, pump } = hostBody(40);
    const url =
      init.method === 'DELETE' ? 'http://app.test/api/oflink/connections/conn_1' : 'http://app.test/x';
    const request = new Request(url, { ...init, body: stream, duplex: 'half' } as RequestInit);
    const pumping = pump();
    const res = await handler(request);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    await pumping;
    expect(host.cancelled).toBe(false);
    expect(host.failures).toEqual([]);
    expect(host.writes).toBe(40);
  });

  it("a body that does not arrive in time is answered 408, and the stream is still the host's", async () => {
    const slow = createLinkHandler({
      apiKey: 'sk_test',
      getClientReferenceId: user,
      bodyTimeoutMs: 50,
      onError: () => undefined,
    });
    const { stream, host, pump } = hostBody(0);
    const request = new Request('http://app.test/x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const res = await slow(request);
    expect(res.status).toBe(408);
    await pump();
    expect(host.cancelled).toBe(false);
    expect(host.failures).toEqual([]);
  });
});
