import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { admin, adminRefusal } from './admin';
import { api } from './api';
import { apiKeysOf, appsOf, type SimContext } from './context';
import { answerWithFault, FaultQueue } from './faults';
import { hosted, hostedSessionId } from './hosted';
import { json, readBody, send, sleep } from './http';
import { firstIssue, optionsSchema, type SimulatorOptions } from './options';
import { Store } from './store';
import type { Simulator } from './types';
import { generateWebhookSecret, WebhookSender } from './webhooks';

/** The webhook sender, reading the live options at every send. */
function webhookSender(opts: SimulatorOptions, secret: string): WebhookSender {
  return new WebhookSender(() => ({
    url: opts.webhookUrl,
    secret,
    scheme: opts.webhookScheme ?? 'standard',
    envelope: opts.webhookEnvelope ?? 'sdk',
    connectionShape: opts.webhookConnectionShape ?? 'sdk',
    retryBaseMs: opts.webhookRetryBaseMs ?? 5000,
    timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    live: !apiKeysOf(opts)[0]?.startsWith('sk_sandbox_'),
  }));
}

/** Routes one request: admin controls, the `/v2` API (through faults), hosted pages. */
async function handle(
  ctx: SimContext,
  sim: () => Simulator,
  faults: FaultQueue,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const url = new URL(req.url ?? '/', ctx.baseUrl());
  const raw = await readBody(req);
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/__simulator/')) {
    const refusal = adminRefusal(req, ctx.baseUrl());
    if (refusal) return send(res, json(403, { error: refusal }));
    return send(res, admin(sim(), method, url.pathname.slice('/__simulator'.length), raw));
  }
  if (url.pathname.startsWith('/v2/')) {
    const fault = faults.next(req);
    if (ctx.opts.latencyMs) await sleep(ctx.opts.latencyMs);
    const key = req.headers.apikey;
    const request = { method, url, raw, key: Array.isArray(key) ? key[0] : key };
    return answerWithFault(fault, req, res, () => api(ctx, request));
  }
  const id = hostedSessionId(url.pathname);
  if (id !== null) return send(res, hosted(ctx, method, url, id, raw));
  if (url.pathname === '/' && method === 'GET') {
    const body = 'oflink simulator: POST /v2/link/init with an apiKey header.\n';
    return send(res, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
  }
  return send(res, json(404, { error: 'Not found' }));
}

/** An HTTP server on `host:port` that can be stopped with its keep-alive sockets. */
async function serve(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
    });
  return { port: bound, close };
}

/**
 * Start a local OFAuth: `/v2` API, hosted Link pages, webhooks and `/__simulator/` test controls.
 * @example
 * const sim = await startSimulator({ port: 0 });
 * const res = await fetch(`${sim.url}/v2/link/init`, { method: 'POST', headers: { apiKey: sim.apiKey } });
 * await sim.stop();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new TypeError(`startSimulator: ${firstIssue(parsed.error)}`);
  const opts: SimulatorOptions = { ...parsed.data };
  const secret = opts.webhookSecret ?? generateWebhookSecret();
  opts.webhookSecret = secret;
  const webhooks = webhookSender(opts, secret);
  const store = new Store((type, c) => {
    webhooks.send(type, { ...c }).catch(() => undefined);
  });
  const faults = new FaultQueue();
  let baseUrl = '';
  const log = (line: string) => {
    if (!opts.quiet) process.stdout.write(`[oflink-simulator] ${line}\n`);
  };
  const ctx: SimContext = { opts, store, baseUrl: () => baseUrl, log };
  const parts = { opts, secret, store, faults, webhooks };
  const host = opts.host ?? '127.0.0.1';
  const server = await serve(
    (req, res) => {
      handle(ctx, () => sim, faults, req, res).catch((e: unknown) => {
        log(`internal error: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) send(res, json(500, { error: 'Failed to initialize Link session' }));
        else res.destroy();
      });
    },
    host,
    opts.port ?? 4010,
  );
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  const sim = controls(baseUrl, parts, server.close);
  log(`listening on ${baseUrl}`);
  return sim;
}

interface Parts {
  opts: SimulatorOptions;
  secret: string;
  store: Store;
  faults: FaultQueue;
  webhooks: WebhookSender;
}

/** The {@link Simulator} handle over the running parts. */
function controls(url: string, { opts, secret, store, faults, webhooks }: Parts, close: () => Promise<void>) {
  const sim: Simulator = {
    url,
    apiKey: apiKeysOf(opts)[0] ?? 'sk_sandbox_simulator',
    webhookSecret: secret,
    options: () => ({ ...opts, apiKeys: apiKeysOf(opts), apps: appsOf(opts) }),
    stop: async () => {
      webhooks.reset();
      await close();
    },
    configure: (patch) => {
      Object.assign(opts, patch);
    },
    injectFault: (fault) => faults.push(fault),
    clearFaults: () => faults.clear(),
    expireSession: (idOrUrl) => store.expire(idOrUrl),
    sessions: () => [...store.sessions.values()].map((s) => store.publicSession(s)),
    connections: () => store.snapshot(),
    addConnection: (input) => ({ ...store.add(input) }),
    webhookDeliveries: () => webhooks.deliveries.map((d) => ({ ...d, headers: { ...d.headers } })),
    webhooksIdle: () => webhooks.idle(),
    resendWebhook: (messageId) => webhooks.resend(messageId),
    reset: () => {
      store.clear();
      faults.clear();
      webhooks.reset();
    },
  };
  return sim;
}
