// The upstream fault matrix: every simulator fault, mapped as documented, with retries only where
// documented (network errors, 502/503/504, a 429 whose Retry-After fits) — counted on the wire.
import { createServer } from 'node:http';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  countingFetch,
  errorText,
  type Figure,
  failOnUnhandledRejection,
  listenOn,
  post,
  writeFigures,
} from '../test/support';
import { FAULT_ROWS } from '../test/upstreamFaults';
import type { OflinkServerError } from './errors';
import { createLinkHandler, type LinkHandlerOptions } from './session';

let sim: Simulator;
const figures: Figure[] = [];
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(async () => {
  await sim.stop();
  writeFigures('server-faults', figures);
});
beforeEach(() => {
  sim.reset();
  sim.configure({ initResponse: 'hosted', maxOpenSessions: undefined });
});
failOnUnhandledRejection();

const rows = FAULT_ROWS;

const summary = (status: number, code: string | null, attempts: number) =>
  `${status}${code ? ` ${code}` : ''} · ${attempts} attempt${attempts === 1 ? '' : 's'}`;

/** The calls the fetch sent, as `METHOD /path`, and when (ms since the epoch). */
interface Counted {
  calls: string[];
  stamps: number[];
  /** What the handler is created with to use this fetch. */
  options: Partial<LinkHandlerOptions>;
}

function counted(): Counted {
  const out: Counted = { calls: [], stamps: [], options: {} };
  const counting = countingFetch();
  out.calls = counting.calls;
  out.options = {
    fetch: (input, init) => {
      out.stamps.push(Date.now());
      return counting.fetch(input, init);
    },
  };
  return out;
}

const transports = [{ name: 'fetch', counted }];

describe.each(transports)('upstream fault matrix over $name', ({ name, counted: count }) => {
  it.each(rows)('$name → $status $code after $attempts attempt(s)', async (row) => {
    row.setup(sim);
    const counted = count();
    const onError = vi.fn<(error: OflinkServerError) => void>();
    const handler = createLinkHandler({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      getClientReferenceId: () => 'user_1',
      onError,
      ...counted.options,
      ...row.options,
    });
    const response = await handler(post({}));
    const body = (await response.json()) as { error?: { code: string; message: string }; url?: string };
    const code = body.error?.code ?? null;
    figures.push({
      area: 'server',
      measure: `upstream fault over ${name}: ${row.name}`,
      value: summary(response.status, code, counted.calls.length),
      goal: summary(row.status, row.code, row.attempts),
    });
    expect(response.status).toBe(row.status);
    expect(code).toBe(row.code);
    expect(counted.calls).toEqual(Array(row.attempts).fill('POST /v2/link/init'));
    expect(response.headers.get('cache-control')).toBe('no-store');
    if (row.retryAfter !== undefined) expect(response.headers.get('retry-after')).toBe(row.retryAfter);
    if (row.code === null) {
      expect(body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cs_/);
      expect(onError).not.toHaveBeenCalled();
    } else {
      expect(onError).toHaveBeenCalledTimes(1);
      const reported = onError.mock.calls[0]?.[0];
      expect(reported).toMatchObject({ name: 'OflinkServerError', code: row.code, status: row.status });
      const text = `${JSON.stringify(body)} ${errorText(reported)}`;
      expect(text).not.toContain(sim.apiKey);
      for (const s of sim.sessions()) expect(text).not.toContain(s.url);
    }
  });

  it('waits out a short Retry-After before the retry instead of retrying at once', async () => {
    sim.injectFault({ type: 'rate-limit', retryAfter: 1 });
    const { stamps, options } = count();
    const handler = createLinkHandler({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      getClientReferenceId: () => 'user_1',
      ...options,
    });
    expect((await handler(post({}))).status).toBe(200);
    expect(stamps).toHaveLength(2);
    // Not a speed assertion: the retry must not come before the upstream's Retry-After.
    expect((stamps[1] ?? 0) - (stamps[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('a retried request creates exactly one session upstream', async () => {
    sim.injectFault({ type: 'status', status: 503 });
    const { calls, options } = count();
    const handler = createLinkHandler({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      getClientReferenceId: () => 'u',
      ...options,
    });
    expect((await handler(post({}))).status).toBe(200);
    expect(calls).toHaveLength(2);
    expect(sim.sessions()).toHaveLength(1);
  });
});

/** A `Request` that refuses `redirect: 'error'`, as Cloudflare Workers' does. */
class WorkersRequest extends Request {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    if (init?.redirect === 'error')
      throw new TypeError('Invalid redirect value, must be one of "follow" or "manual".');
    super(input, init);
  }
}

describe('redirects from upstream', () => {
  // a server that counts whoever follows the redirect: the apiKey header must never reach it
  let trap: { url: string; hits: string[]; close: () => Promise<void> };
  beforeAll(async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(`${req.method} ${String(req.headers.apikey ?? '')}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    trap = {
      url: `${await listenOn(server)}/v2/link/init`,
      hits,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  });
  afterAll(() => trap.close());
  beforeEach(() => {
    trap.hits.length = 0;
  });

  /**
   * One session request answered by `status` with a Location to the trap, through `create`, over a
   * fetch that records its redirect mode.
   */
  async function redirectedOnce(create: typeof createLinkHandler, status: number) {
    sim.injectFault({ type: 'status', status, headers: { location: trap.url } });
    const modes: (RequestRedirect | undefined)[] = [];
    const onError = vi.fn<(error: OflinkServerError) => void>();
    const recording: Partial<LinkHandlerOptions> = {
      fetch: (input, init) => {
        modes.push(init?.redirect);
        return fetch(input, init);
      },
    };
    const handler = create({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      getClientReferenceId: () => 'user_1',
      onError,
      ...recording,
    });
    const response = await handler(post({}));
    const body = (await response.json()) as { error: { code: string } };
    return {
      status: response.status,
      code: body.error.code,
      modes,
      message: onError.mock.calls[0]?.[0]?.message,
    };
  }

  it.each([301, 302, 303, 307, 308])(
    '%i is never followed, not retried, and reported as a redirect',
    async (status) => {
      const r = await redirectedOnce(createLinkHandler, status);
      expect(r.status).toBe(502);
      expect(r.code).toBe('upstream_unavailable');
      // Node's fetch supports redirect: 'error' (no request body copy before each call)
      expect(r.modes).toEqual(['error']);
      expect(r.message).toMatch(/redirect, which is never followed/);
      expect(trap.hits).toEqual([]);
    },
  );

  it('redirectModeOf: "error" where Request accepts it, "manual" where it refuses it (Cloudflare Workers)', async () => {
    const { redirectModeOf } = await import('./upstream');
    expect(redirectModeOf(Request)).toBe('error');
    expect(redirectModeOf(WorkersRequest)).toBe('manual');
    expect(redirectModeOf(undefined)).toBe('manual');
  });

  it('where redirect "error" is refused, "manual" is used: the redirect is still not followed and is reported with its status', async () => {
    vi.resetModules();
    vi.stubGlobal('Request', WorkersRequest);
    try {
      // a fresh module graph: the mode is chosen on the first upstream call, from this runtime's Request
      const fresh = await import('./session');
      const r = await redirectedOnce(fresh.createLinkHandler, 307);
      expect(r.status).toBe(502);
      expect(r.code).toBe('upstream_unavailable');
      expect(r.modes).toEqual(['manual']);
      expect(r.message).toMatch(/OFAuth answered 307, a redirect, which is never followed/);
      expect(trap.hits).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
