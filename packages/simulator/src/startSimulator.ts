import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { type PageMessage, type PageModel, renderPage } from './hostedPage';
import { parseInitRequest } from './initRequest';
import { LOCAL_PATTERNS, originMatches, redirectAllowed } from './origins';
import { SANDBOX_CODE, SANDBOX_PASSWORD, SCENARIOS, scenarioForEmail } from './scenarios';
import type {
  Connection,
  Fault,
  SessionRecord,
  SimulatorApp,
  SimulatorOptions,
  WebhookDelivery,
} from './types';
import { generateWebhookSecret, type WebhookEventType, WebhookSender } from './webhooks';

/** A running simulator (see ARCHITECTURE.md §2). */
export interface Simulator {
  /** Base URL of the API and the hosted pages, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** The first API key. */
  apiKey: string;
  /** The webhook signing secret in use (`whsec_…`). */
  webhookSecret: string;
  /** The effective options (after defaults). */
  options(): Readonly<SimulatorOptions>;
  /** Stop listening and close every socket, keep-alive ones too. */
  stop(): Promise<void>;
  /** Change options at run time (not `port`/`host`). */
  configure(patch: Partial<SimulatorOptions>): void;
  /** Queue a fault for the next `times` (default 1) `/v2` API requests. */
  injectFault(fault: Fault): void;
  /** Drop queued faults. */
  clearFaults(): void;
  /** Expire a session (by id or URL) now, or every open one; returns how many expired. */
  expireSession(idOrUrl?: string): number;
  /** Every session so far. */
  sessions(): SessionRecord[];
  /** Every connection (PROTOCOL.md §5 shape). */
  connections(): Connection[];
  /** Add a connection directly (for test setups). */
  addConnection(input: Partial<Connection> & { clientReferenceId?: string | null }): Connection;
  /** Every webhook attempt so far. */
  webhookDeliveries(): WebhookDelivery[];
  /** Resolves when every queued webhook delivery has finished (all its attempts). */
  webhooksIdle(): Promise<void>;
  /** Forget sessions, connections, faults and deliveries. */
  reset(): void;
}

/** Zod schema of a {@link Fault}, used by the admin endpoint and the fault header. */
export const faultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('latency'),
    ms: z.number().int().min(0).max(120_000),
    times: z.number().int().min(1).optional(),
  }),
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(100).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    times: z.number().int().min(1).optional(),
  }),
  z.object({ type: z.literal('reset'), times: z.number().int().min(1).optional() }),
  z.object({ type: z.literal('malformed'), times: z.number().int().min(1).optional() }),
  z.object({
    type: z.literal('rate-limit'),
    retryAfter: z.number().int().min(0),
    times: z.number().int().min(1).optional(),
  }),
  z.object({
    type: z.literal('slow-body'),
    ms: z.number().int().min(0).max(120_000),
    times: z.number().int().min(1).optional(),
  }),
]);

const optionsPatchSchema = z
  .object({
    apiKeys: z.array(z.string().min(1)).min(1),
    apps: z.array(
      z.object({
        id: z.string().regex(/^app_[a-zA-Z0-9]+$/),
        redirectUris: z.array(z.string()).optional(),
        allowedOrigins: z.array(z.string()).optional(),
        defaultRedirectUri: z.string().optional(),
      }),
    ),
    defaultRedirectUri: z.string(),
    allowedOrigins: z.array(z.string()),
    webhookUrl: z.string(),
    webhookSecret: z.string().startsWith('whsec_'),
    webhookScheme: z.enum(['standard', 'ofauth']),
    webhookEnvelope: z.enum(['sdk', 'docs']),
    webhookRetryBaseMs: z.number().int().min(0),
    webhookTimeoutMs: z.number().int().min(1),
    sessionTtlSeconds: z.number().positive(),
    coop: z.boolean(),
    initResponse: z.enum(['hosted', 'legacy', 'whitelabel']),
    messageShape: z.enum(['v4', 'legacy']),
    sessionPath: z.enum(['root', 's']),
    maxOpenSessions: z.number().int().min(0),
    latencyMs: z.number().int().min(0),
    quiet: z.boolean(),
  })
  .partial()
  .strict();

type QueuedFault = { fault: Fault; left: number };
type Reply = { status: number; headers: Record<string, string>; body: string };
type SessionInternal = SessionRecord & { mode: string | null; cancelStep: string | null };

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const rand = (bytes: number) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
const isLoopback = (addr: string | undefined) =>
  !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));
const TERMINAL = new Set(['success', 'cancelled', 'error', 'expired']);

function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
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

/**
 * Start a local OFAuth: `/v2` API, hosted Link pages, webhooks and `/__simulator/` test controls.
 * @example
 * const sim = await startSimulator({ port: 0 });
 * const res = await fetch(`${sim.url}/v2/link/init`, { method: 'POST', headers: { apiKey: sim.apiKey } });
 * await sim.stop();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts: SimulatorOptions = { ...options };
  const secret = opts.webhookSecret ?? generateWebhookSecret();
  opts.webhookSecret = secret;
  if (!secret.startsWith('whsec_'))
    throw new TypeError('webhookSecret must start with whsec_ (whsec_<base64>).');
  const sessions = new Map<string, SessionInternal>();
  const connections = new Map<string, Connection>();
  let faults: QueuedFault[] = [];
  const sockets = new Set<Socket>();
  let baseUrl = '';

  const apiKeys = () => (opts.apiKeys && opts.apiKeys.length > 0 ? opts.apiKeys : ['sk_sandbox_simulator']);
  const apps = (): SimulatorApp[] => (opts.apps && opts.apps.length > 0 ? opts.apps : [{ id: 'app_demo' }]);
  const log = (line: string) => {
    if (!opts.quiet) process.stdout.write(`[oflink-simulator] ${line}\n`);
  };

  const webhooks = new WebhookSender(() => ({
    url: opts.webhookUrl,
    secret,
    scheme: opts.webhookScheme ?? 'standard',
    envelope: opts.webhookEnvelope ?? 'sdk',
    retryBaseMs: opts.webhookRetryBaseMs ?? 5000,
    timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    live: !apiKeys()[0]?.startsWith('sk_sandbox_'),
  }));
  const fire = (type: WebhookEventType, c: Connection) => {
    webhooks.send(type, { ...c }).catch(() => undefined);
  };

  const redirectPatterns = (app: SimulatorApp) => app.redirectUris ?? LOCAL_PATTERNS;
  const originAllowed = (app: SimulatorApp, origin: string) =>
    [...(app.allowedOrigins ?? LOCAL_PATTERNS), ...(opts.allowedOrigins ?? [])].some((p) =>
      originMatches(origin, p),
    );

  const isOpen = (s: SessionInternal) => !TERMINAL.has(s.state) && Date.parse(s.expiresAt) > Date.now();
  const refreshExpiry = (s: SessionInternal) => {
    if (!TERMINAL.has(s.state) && Date.parse(s.expiresAt) <= Date.now()) s.state = 'expired';
  };
  const publicSession = (s: SessionInternal): SessionRecord => {
    refreshExpiry(s);
    const { mode: _m, cancelStep: _c, ...rest } = s;
    return { ...rest };
  };

  // ---------------------------------------------------------------- API
  async function linkInit(raw: string, key: string): Promise<Reply> {
    const parsed = parseInitRequest(raw);
    if (!parsed.ok) return json(400, { error: parsed.error });
    const body = parsed.value;
    const app = body.clientAppId ? apps().find((a) => a.id === body.clientAppId) : apps()[0];
    if (!app) return json(404, { error: 'Client app not found' });
    const redirectUrl0 = body.redirectUrl ?? app.defaultRedirectUri ?? opts.defaultRedirectUri ?? null;
    if (body.redirectUrl !== undefined && !redirectAllowed(body.redirectUrl, redirectPatterns(app))) {
      return json(400, { error: 'Invalid request: redirectUrl is not allowed for this client app' });
    }
    const redirectUrl = redirectUrl0 !== null && URL.canParse(redirectUrl0) ? redirectUrl0 : null;
    // counting scans every session: only done when a limit is set (it made each init O(sessions))
    const limit = opts.maxOpenSessions;
    if (limit !== undefined && [...sessions.values()].filter(isOpen).length >= limit)
      return json(403, { error: 'limit reached' });
    const id = `cs_${rand(18)}`;
    const url = `${baseUrl}${opts.sessionPath === 's' ? '/s' : ''}/${id}`;
    const now = Date.now();
    const expiresAt = new Date(now + (opts.sessionTtlSeconds ?? 1800) * 1000).toISOString();
    const session: SessionInternal = {
      id,
      url,
      appId: app.id,
      apiKey: key,
      redirectUrl,
      clientReferenceId: body.clientReferenceId ?? null,
      connectionId: body.connectionId ?? null,
      geolocation: body.geolocation ?? null,
      createdAt: new Date(now).toISOString(),
      expiresAt,
      state: 'pre-login',
      scenarioId: null,
      email: null,
      errorCode: null,
      resultConnectionId: null,
      mode: body.mode ?? null,
      cancelStep: null,
    };
    sessions.set(id, session);
    const shape = opts.initResponse ?? 'hosted';
    if (shape === 'whitelabel')
      return json(200, { mode: 'whitelabel', clientSecret: `${id}_secret_${rand(18)}`, expiresAt });
    if (shape === 'legacy') return json(200, { url, expiresAt });
    return json(200, { mode: 'hosted', url, expiresAt });
  }

  const listQuery = z.object({
    status: z.enum(['active', 'expired', 'awaiting_2fa']).optional(),
    imported: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(10),
    offset: z.coerce.number().int().min(0).default(0),
  });

  async function api(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const key = req.headers.apikey;
    const keyStr = Array.isArray(key) ? key[0] : key;
    if (!keyStr || !apiKeys().includes(keyStr))
      return json(401, { error: 'Unauthorized: missing or unknown apiKey header' });
    const path = url.pathname;
    if (path === '/v2/link/init') {
      if (req.method !== 'POST') return json(405, { error: 'Method not allowed' }, { allow: 'POST' });
      return linkInit(raw, keyStr);
    }
    if (path === '/v2/account/connections') {
      if (req.method !== 'GET') return json(405, { error: 'Method not allowed' }, { allow: 'GET' });
      const q = listQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) return json(400, { error: `Invalid request: ${q.error.issues[0]?.path.join('.')}` });
      let all = [...connections.values()];
      if (q.data.status) all = all.filter((c) => c.status === q.data.status);
      if (q.data.imported) all = all.filter((c) => String(c.imported) === q.data.imported);
      const list = all.slice(q.data.offset, q.data.offset + q.data.limit);
      return json(200, { list, hasMore: q.data.offset + q.data.limit < all.length });
    }
    const m = /^\/v2\/account\/connections\/([^/]+)(\/invalidate)?$/.exec(path);
    if (m?.[1]) {
      const conn = connections.get(decodeURIComponent(m[1]));
      if (!conn) return json(404, { error: 'Connection not found' });
      if (m[2]) {
        if (req.method !== 'POST') return json(405, { error: 'Method not allowed' }, { allow: 'POST' });
        const now = new Date().toISOString();
        conn.status = 'expired';
        conn.expiredAt = now;
        conn.updatedAt = now;
        fire('connection.expired', conn);
        return json(200, { success: true });
      }
      if (req.method !== 'DELETE') return json(405, { error: 'Method not allowed' }, { allow: 'DELETE' });
      connections.delete(conn.id);
      fire('connection.disconnected', conn);
      return json(200, { success: true });
    }
    return json(404, { error: 'Not found' });
  }

  // ---------------------------------------------------------------- hosted pages
  function userFor(email: string): Connection['userData'] {
    const local = email.slice(0, email.indexOf('@')).replace(/[^a-zA-Z0-9_.-]/g, '') || 'user';
    const id = String(
      Number.parseInt(createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 10), 16),
    );
    return {
      id,
      name: local.charAt(0).toUpperCase() + local.slice(1),
      username: local.toLowerCase(),
      avatar: null,
    };
  }

  function complete(s: SessionInternal): Connection {
    const scenario = SCENARIOS.find((x) => x.id === s.scenarioId);
    const userData = userFor(s.email ?? 'user@creator.sandbox.com');
    const permissions =
      scenario?.accountType === 'fan'
        ? ['profile:read', 'subscriptions:read']
        : ['profile:read', 'messages:write', 'posts:write', 'earnings:read'];
    const now = new Date().toISOString();
    const existing = s.connectionId ? connections.get(s.connectionId) : undefined;
    if (existing) {
      Object.assign(existing, {
        status: 'active',
        userData,
        permissions,
        expiredAt: null,
        updatedAt: now,
        lastCheckedAt: now,
      });
      if (s.clientReferenceId !== null) existing.clientReferenceId = s.clientReferenceId;
      fire('connection.updated', existing);
      return existing;
    }
    const conn: Connection = {
      id: `conn_${rand(14)}`,
      status: 'active',
      userData,
      permissions,
      expiredAt: null,
      createdAt: now,
      updatedAt: now,
      clientReferenceId: s.clientReferenceId,
      imported: false,
      lastCheckedAt: now,
    };
    connections.set(conn.id, conn);
    fire('connection.created', conn);
    return conn;
  }

  function callbackUrl(s: SessionInternal, params: Record<string, string>): string | null {
    if (!s.redirectUrl) return null;
    const u = new URL(s.redirectUrl);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    if (s.clientReferenceId !== null) u.searchParams.set('client_reference_id', s.clientReferenceId);
    return u.toString();
  }

  function sandboxInfo(s: SessionInternal, screen: string): Record<string, unknown> | null {
    if (!s.apiKey.startsWith('sk_sandbox_')) return null;
    return {
      scenarios: SCENARIOS.map(({ outcome: _o, ...rest }) => rest),
      activeScenarioId: s.scenarioId ?? 'creator',
      currentScreen: screen,
    };
  }

  interface PageContext {
    action: string;
    theme: 'light' | 'dark' | 'auto';
    embedOrigin: string | null;
    embedRequested: boolean;
  }

  function pageContext(url: URL, app: SimulatorApp | undefined): PageContext {
    const t = url.searchParams.get('theme');
    const theme = t === 'light' || t === 'dark' ? t : 'auto';
    const embedRequested = url.searchParams.get('embed') === 'true';
    const o = url.searchParams.get('embed_origin');
    let embedOrigin: string | null = null;
    if (embedRequested && o && app && originAllowed(app, o)) embedOrigin = new URL(o).origin;
    return { action: `${url.pathname}${url.search}`, theme, embedOrigin, embedRequested };
  }

  function pageReply(status: number, html: string, ctx: PageContext): Reply {
    const headers: Record<string, string> = {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': ctx.embedOrigin
        ? `frame-ancestors 'self' ${ctx.embedOrigin}`
        : "frame-ancestors 'none'",
    };
    if (opts.coop) headers['cross-origin-opener-policy'] = 'same-origin';
    return { status, headers, body: html };
  }

  function invalidPage(s: SessionInternal | undefined, ctx: PageContext, status: number): Reply {
    const expired = s?.state === 'expired';
    const navigateTo =
      s && expired ? callbackUrl(s, { status: 'error', error_code: 'session_expired' }) : null;
    const model: PageModel = {
      step: 'error',
      outcome: 'invalid',
      title: expired ? 'This link has expired' : 'This link is not valid',
      text: expired
        ? 'Go back to the app and start again.'
        : 'It was already used or never existed. Go back to the app and start again.',
      action: ctx.action,
      theme: ctx.theme,
      embedOrigin: ctx.embedOrigin,
      messageShape: opts.messageShape ?? 'v4',
      exitStep: 'error',
      sandboxInfo: null,
      message: { event: 'invalid_session' },
      navigateTo,
    };
    return pageReply(status, renderPage(model), ctx);
  }

  const TITLES: Record<'pre-login' | 'login' | '2fa', [string, string]> = {
    'pre-login': [
      'Connect your OnlyFans account',
      'The app asks to connect to your account through OFAuth. Continue to log in.',
    ],
    login: [
      'Log in to OnlyFans',
      `Sandbox: use any email @<scenario>.sandbox.com and the password ${SANDBOX_PASSWORD}.`,
    ],
    '2fa': ['Enter your one-time code', `Sandbox: the code is ${SANDBOX_CODE}.`],
  };

  function stepPage(s: SessionInternal, ctx: PageContext, error?: string): Reply {
    const mk = (partial: Omit<PageModel, 'action' | 'theme' | 'embedOrigin' | 'messageShape'>): Reply =>
      pageReply(
        200,
        renderPage({
          ...partial,
          action: ctx.action,
          theme: ctx.theme,
          embedOrigin: ctx.embedOrigin,
          messageShape: opts.messageShape ?? 'v4',
        }),
        ctx,
      );
    if (s.state === 'pre-login' || s.state === 'login' || s.state === '2fa') {
      const [title, text] = TITLES[s.state];
      return mk({
        step: s.state,
        title,
        text,
        error,
        email: s.email ?? undefined,
        exitStep: s.state,
        sandboxInfo: sandboxInfo(s, s.state),
        message: null,
        navigateTo: null,
      });
    }
    if (s.state === 'success') {
      const conn = s.resultConnectionId ? connections.get(s.resultConnectionId) : undefined;
      const successUrl = callbackUrl(s, { status: 'success', connection_id: s.resultConnectionId ?? '' });
      const userData = conn?.userData ?? null;
      const message: PageMessage = {
        event: 'success',
        metadata: {
          successUrl: successUrl ?? '',
          redirect: s.mode === 'redirect' && successUrl !== null,
          connection: { id: s.resultConnectionId, userData },
          user: userData,
        },
      };
      return mk({
        step: 'done',
        outcome: 'success',
        title: 'Connected',
        text: 'Your account is connected. You can return to the app.',
        exitStep: 'success',
        sandboxInfo: null,
        message,
        navigateTo: successUrl,
      });
    }
    if (s.state === 'cancelled') {
      const step = s.cancelStep ?? 'pre-login';
      const message: PageMessage = { event: 'exit', metadata: { type: 'user_exit', step, error: null } };
      return mk({
        step: 'done',
        outcome: 'cancelled',
        title: 'Cancelled',
        text: 'Nothing was connected.',
        exitStep: step,
        sandboxInfo: null,
        message,
        navigateTo: callbackUrl(s, { status: 'cancelled', step }),
      });
    }
    const code = s.errorCode ?? 'unknown_error';
    const text =
      code === 'account_locked'
        ? 'This account is locked. Unlock it on OnlyFans, then try again.'
        : code === '2fa_failed'
          ? 'The one-time code was rejected.'
          : 'Something went wrong.';
    const step = code === '2fa_failed' ? '2fa' : 'login';
    const message: PageMessage = {
      event: 'exit',
      metadata: { type: 'error', step, error: { error_type: code, error_message: text } },
    };
    return mk({
      step: 'error',
      outcome: 'error',
      title: 'Could not connect',
      text,
      exitStep: 'error',
      sandboxInfo: null,
      message,
      navigateTo: callbackUrl(s, { status: 'error', error_code: code }),
    });
  }

  function lookup(pathname: string): { id: string } | null {
    const m = /^\/(?:s\/)?(cs_[A-Za-z0-9]+)$/.exec(pathname);
    return m?.[1] ? { id: m[1] } : null;
  }

  async function hosted(req: IncomingMessage, url: URL, id: string, raw: string): Promise<Reply> {
    const s = sessions.get(id);
    const app = s ? apps().find((a) => a.id === s.appId) : undefined;
    const ctx = pageContext(url, app);
    if (!s) return invalidPage(undefined, ctx, 404);
    refreshExpiry(s);
    if (s.state === 'expired') return invalidPage(s, ctx, 410);
    if (req.method === 'GET') {
      // A session URL is single use: once it reached an outcome it is no longer valid.
      if (TERMINAL.has(s.state)) return invalidPage(s, ctx, 410);
      return stepPage(s, ctx);
    }
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'GET, POST' }, body: '' };
    if (TERMINAL.has(s.state)) return invalidPage(s, ctx, 410);
    const form = new URLSearchParams(raw);
    const action = form.get('action');
    const formStep = form.get('step');
    if (action === 'exit') {
      s.cancelStep =
        formStep === 'pre-login' || formStep === 'login' || formStep === '2fa' ? formStep : s.state;
      s.state = 'cancelled';
      return { status: 204, headers: {}, body: '' };
    }
    // A form from an older step (another tab, back button) shows where the session is now.
    if (formStep !== s.state) return stepPage(s, ctx);
    if (action === 'cancel') {
      s.cancelStep = s.state;
      s.state = 'cancelled';
      return stepPage(s, ctx);
    }
    if (s.state === 'pre-login') {
      s.state = 'login';
      return stepPage(s, ctx);
    }
    if (s.state === 'login') {
      const email = (form.get('email') ?? '').trim();
      s.email = email;
      const scenario = scenarioForEmail(email);
      if (!scenario || form.get('password') !== scenario.password) {
        return stepPage(
          s,
          ctx,
          scenario
            ? 'Wrong email or password. Try again.'
            : 'Use a sandbox email such as ana@creator.sandbox.com.',
        );
      }
      s.scenarioId = scenario.id;
      if (scenario.outcome === 'account_locked') {
        s.state = 'error';
        s.errorCode = 'account_locked';
        return stepPage(s, ctx);
      }
      if (scenario.loginType === 'app_otp') {
        s.state = '2fa';
        return stepPage(s, ctx);
      }
      s.resultConnectionId = complete(s).id;
      s.state = 'success';
      return stepPage(s, ctx);
    }
    // 2fa
    const scenario = SCENARIOS.find((x) => x.id === s.scenarioId);
    if (scenario?.outcome === '2fa_failed') {
      s.state = 'error';
      s.errorCode = '2fa_failed';
      return stepPage(s, ctx);
    }
    if ((form.get('code') ?? '').trim() !== scenario?.otpCode)
      return stepPage(s, ctx, 'That code is not right. Try again.');
    s.resultConnectionId = complete(s).id;
    s.state = 'success';
    return stepPage(s, ctx);
  }

  // ---------------------------------------------------------------- admin
  async function admin(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const cors = { 'access-control-allow-origin': '*' };
    const parse = (): unknown => (raw.trim() === '' ? {} : JSON.parse(raw));
    const route = `${req.method} ${url.pathname.slice('/__simulator'.length)}`;
    try {
      switch (route) {
        case 'POST /faults': {
          const f = faultSchema.safeParse(parse());
          if (!f.success) return json(400, { error: `Invalid fault: ${f.error.issues[0]?.message}` }, cors);
          sim.injectFault(f.data as Fault);
          return json(200, { ok: true }, cors);
        }
        case 'DELETE /faults':
          sim.clearFaults();
          return json(200, { ok: true }, cors);
        case 'POST /expire': {
          const b = z.object({ id: z.string().optional() }).safeParse(parse());
          if (!b.success) return json(400, { error: 'Invalid body: {id?: string}' }, cors);
          return json(200, { expired: sim.expireSession(b.data.id) }, cors);
        }
        case 'GET /sessions':
          return json(200, sim.sessions(), cors);
        case 'GET /connections':
          return json(200, sim.connections(), cors);
        case 'GET /webhooks':
          return json(200, sim.webhookDeliveries(), cors);
        case 'PATCH /options': {
          const p = optionsPatchSchema.safeParse(parse());
          if (!p.success)
            return json(
              400,
              {
                error: `Invalid options: ${p.error.issues[0]?.path.join('.')} ${p.error.issues[0]?.message}`,
              },
              cors,
            );
          sim.configure(p.data as Partial<SimulatorOptions>);
          return json(200, { ok: true }, cors);
        }
        case 'POST /reset':
          sim.reset();
          return json(200, { ok: true }, cors);
        default:
          return json(404, { error: 'Not found' }, cors);
      }
    } catch {
      return json(400, { error: 'Body is not valid JSON' }, cors);
    }
  }

  // ---------------------------------------------------------------- HTTP
  function send(res: ServerResponse, r: Reply) {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }

  function nextFault(req: IncomingMessage): Fault | null {
    const header = req.headers['x-oflink-simulator-fault'];
    if (typeof header === 'string') {
      try {
        const f = faultSchema.safeParse(JSON.parse(header));
        if (f.success) return f.data as Fault;
      } catch {
        // An unreadable header is ignored, like any unknown header.
      }
    }
    const q = faults[0];
    if (!q) return null;
    q.left--;
    if (q.left <= 0) faults.shift();
    return q.fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/__simulator/')) {
      if (!isLoopback(req.socket.remoteAddress)) return send(res, json(403, { error: 'Loopback only' }));
      if (req.method === 'OPTIONS') {
        return send(res, {
          status: 204,
          headers: {
            'access-control-allow-origin': '*',
            'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
            'access-control-allow-headers': 'content-type',
          },
          body: '',
        });
      }
      return send(res, await admin(req, url, raw));
    }
    if (url.pathname.startsWith('/v2/')) {
      const fault = nextFault(req);
      if (opts.latencyMs) await sleep(opts.latencyMs);
      if (fault?.type === 'latency') await sleep(fault.ms);
      if (fault?.type === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.type === 'status') {
        return send(
          res,
          json(fault.status, fault.body ?? { error: `Simulated ${fault.status}` }, fault.headers ?? {}),
        );
      }
      if (fault?.type === 'rate-limit') {
        const reset = String(Math.ceil(Date.now() / 1000) + fault.retryAfter);
        return send(
          res,
          json(
            429,
            { error: 'Too many requests' },
            {
              'retry-after': String(fault.retryAfter),
              'x-ratelimit-limit': '60',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': reset,
            },
          ),
        );
      }
      if (fault?.type === 'malformed') {
        return send(res, {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"mode":"hosted","url":',
        });
      }
      const reply = await api(req, url, raw);
      if (fault?.type === 'slow-body') {
        res.writeHead(reply.status, reply.headers);
        res.flushHeaders();
        await sleep(fault.ms);
        res.end(reply.body);
        return;
      }
      return send(res, reply);
    }
    const ref = lookup(url.pathname);
    if (ref) return send(res, await hosted(req, url, ref.id, raw));
    if (url.pathname === '/' && req.method === 'GET') {
      return send(res, {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'oflink simulator: POST /v2/link/init with an apiKey header.\n',
      });
    }
    return send(res, json(404, { error: 'Not found' }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, json(500, { error: 'Failed to initialize Link session' }));
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4010, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 4010);
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const sim: Simulator = {
    url: baseUrl,
    apiKey: apiKeys()[0] ?? 'sk_sandbox_simulator',
    webhookSecret: secret,
    options: () => ({ ...opts, apiKeys: apiKeys(), apps: apps() }),
    stop: async () => {
      webhooks.reset();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
    },
    configure: (patch) => {
      const { port: _p, host: _h, webhookSecret: _w, ...rest } = patch;
      Object.assign(opts, rest);
    },
    injectFault: (fault) => {
      faults.push({ fault, left: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    expireSession: (idOrUrl) => {
      const id = idOrUrl ? (/cs_[A-Za-z0-9]+/.exec(idOrUrl)?.[0] ?? idOrUrl) : undefined;
      let n = 0;
      const past = new Date(Date.now() - 1).toISOString();
      for (const s of sessions.values()) {
        if (id !== undefined && s.id !== id) continue;
        if (!isOpen(s)) continue;
        s.expiresAt = past;
        s.state = 'expired';
        n++;
      }
      return n;
    },
    sessions: () => [...sessions.values()].map(publicSession),
    connections: () =>
      [...connections.values()].map((c) => ({
        ...c,
        userData: { ...c.userData },
        permissions: [...c.permissions],
      })),
    addConnection: (input) => {
      const now = new Date().toISOString();
      const conn: Connection = {
        id: input.id ?? `conn_${rand(14)}`,
        status: input.status ?? 'active',
        userData: input.userData ?? userFor('seeded@creator.sandbox.com'),
        permissions: input.permissions ?? ['profile:read'],
        expiredAt: input.expiredAt ?? null,
        createdAt: input.createdAt ?? now,
        updatedAt: input.updatedAt ?? now,
        clientReferenceId: input.clientReferenceId ?? null,
        imported: input.imported ?? false,
        lastCheckedAt: input.lastCheckedAt ?? null,
      };
      connections.set(conn.id, conn);
      return { ...conn };
    },
    webhookDeliveries: () => webhooks.deliveries.map((d) => ({ ...d, headers: { ...d.headers } })),
    webhooksIdle: () => webhooks.idle(),
    reset: () => {
      sessions.clear();
      connections.clear();
      faults = [];
      webhooks.reset();
    },
  };
  log(`listening on ${baseUrl}`);
  return sim;
}
