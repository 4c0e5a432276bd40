import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { countingFetch, errorText, failOnUnhandledRejection } from '../test/support';
import { confirmConnection } from './confirm';
import { OflinkServerError } from './errors';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});
failOnUnhandledRejection();

const options = () => ({ apiKey: sim.apiKey, baseUrl: sim.url });

/** A fetch that counts the calls it makes and the most that ran at once. */
function watchedFetch() {
  const watch = {
    calls: 0,
    done: 0,
    most: 0,
    inFlight: 0,
    fetch: (async () => new Response()) as typeof fetch,
  };
  watch.fetch = async (input, init) => {
    watch.calls++;
    watch.most = Math.max(watch.most, ++watch.inFlight);
    try {
      return await fetch(input, init);
    } finally {
      watch.inFlight--;
      watch.done++;
    }
  };
  return watch;
}

async function rejection(promise: Promise<unknown>): Promise<OflinkServerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OflinkServerError);
    return error as OflinkServerError;
  }
  throw new Error('expected a rejection');
}

describe('confirmConnection', () => {
  it('returns an active connection whose clientReferenceId matches', async () => {
    const created = sim.addConnection({ clientReferenceId: 'user_1' });
    const connection = await confirmConnection(options(), {
      connectionId: created.id,
      clientReferenceId: 'user_1',
    });
    expect(connection).toEqual(created);
  });

  it('pages through the listing until it finds the connection', async () => {
    for (let i = 0; i < 230; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
    const target = sim.addConnection({ clientReferenceId: 'user_1' });
    const counting = countingFetch();
    const connection = await confirmConnection(
      { ...options(), fetch: counting.fetch },
      { connectionId: target.id, clientReferenceId: 'user_1' },
    );
    expect(connection.id).toBe(target.id);
    expect(counting.calls).toEqual(Array(3).fill('GET /v2/account/connections'));
  });

  it('stops when hasMore is false: connection_not_found (404)', async () => {
    for (let i = 0; i < 150; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
    const counting = countingFetch();
    const error = await rejection(
      confirmConnection(
        { ...options(), fetch: counting.fetch },
        { connectionId: 'conn_nope', clientReferenceId: 'user_1' },
      ),
    );
    expect(error).toMatchObject({ code: 'connection_not_found', status: 404 });
    expect(counting.calls).toHaveLength(2);
  });

  it('another user’s connection → connection_not_owned (403)', async () => {
    const created = sim.addConnection({ clientReferenceId: 'user_2' });
    const error = await rejection(
      confirmConnection(options(), { connectionId: created.id, clientReferenceId: 'user_1' }),
    );
    expect(error).toMatchObject({ code: 'connection_not_owned', status: 403 });
  });

  it('a connection without clientReferenceId is not owned by anyone', async () => {
    const created = sim.addConnection({ clientReferenceId: null });
    const error = await rejection(
      confirmConnection(options(), { connectionId: created.id, clientReferenceId: 'user_1' }),
    );
    expect(error.code).toBe('connection_not_owned');
  });

  it.each(['expired', 'awaiting_2fa'] as const)(
    'a %s connection is not confirmed: only active connections are listed (status=active) → connection_not_found',
    async (status) => {
      const created = sim.addConnection({ clientReferenceId: 'user_1', status });
      const counting = countingFetch();
      const error = await rejection(
        confirmConnection(
          { ...options(), fetch: counting.fetch },
          { connectionId: created.id, clientReferenceId: 'user_1' },
        ),
      );
      expect(error).toMatchObject({ code: 'connection_not_found', status: 404 });
      expect(counting.urls.length).toBeGreaterThan(0);
      expect(counting.urls.every((u) => new URL(u).searchParams.get('status') === 'active')).toBe(true);
    },
  );

  it('another user’s inactive connection answers like any missing one, so its state does not leak', async () => {
    const created = sim.addConnection({ clientReferenceId: 'user_2', status: 'expired' });
    const error = await rejection(
      confirmConnection(options(), { connectionId: created.id, clientReferenceId: 'user_1' }),
    );
    expect(error.code).toBe('connection_not_found');
  });

  it.each([
    ['a malformed connectionId', { connectionId: 'abc', clientReferenceId: 'user_1' }],
    ['an empty clientReferenceId', { connectionId: 'conn_1', clientReferenceId: '' }],
  ])('%s → invalid_request without calling OFAuth', async (_name, params) => {
    const counting = countingFetch();
    const error = await rejection(confirmConnection({ ...options(), fetch: counting.fetch }, params));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(counting.calls).toHaveLength(0);
  });

  it.each([
    ['a bad key', 'server_misconfigured', { type: 'status', status: 401 }],
    ['a 500', 'upstream_unavailable', { type: 'status', status: 500 }],
    ['malformed JSON', 'upstream_unavailable', { type: 'malformed' }],
    ['a reset twice', 'upstream_unavailable', { type: 'reset', times: 2 }],
    ['a 429 with a long Retry-After', 'rate_limited', { type: 'rate-limit', retryAfter: 60 }],
  ] as const)('maps %s to %s', async (_name, code, fault) => {
    const created = sim.addConnection({ clientReferenceId: 'user_1' });
    sim.injectFault(fault);
    const error = await rejection(
      confirmConnection(options(), { connectionId: created.id, clientReferenceId: 'user_1' }),
    );
    expect(error.code).toBe(code);
    expect(errorText(error)).not.toContain(sim.apiKey);
  });

  it('a slow listing → upstream_timeout', async () => {
    sim.injectFault({ type: 'latency', ms: 1500 });
    const error = await rejection(
      confirmConnection(
        { ...options(), timeoutMs: 200 },
        { connectionId: 'conn_1', clientReferenceId: 'user_1' },
      ),
    );
    expect(error).toMatchObject({ code: 'upstream_timeout', status: 504 });
  });

  it('retries a 503 once and still finds the connection', async () => {
    const created = sim.addConnection({ clientReferenceId: 'user_1' });
    sim.injectFault({ type: 'status', status: 503 });
    const connection = await confirmConnection(options(), {
      connectionId: created.id,
      clientReferenceId: 'user_1',
    });
    expect(connection.id).toBe(created.id);
  });

  it('a listing without { list, hasMore } → upstream_unavailable', async () => {
    sim.injectFault({ type: 'status', status: 200, body: { data: [] } });
    const error = await rejection(
      confirmConnection(options(), { connectionId: 'conn_1', clientReferenceId: 'user_1' }),
    );
    expect(error.code).toBe('upstream_unavailable');
  });

  it('a listing that always says hasMore stops after a bounded number of pages', async () => {
    const counting = countingFetch();
    const endless: typeof fetch = async (input, init) => {
      await counting.fetch(`${sim.url}/`, { method: 'GET' }).then((r) => r.arrayBuffer());
      void input;
      void init;
      return Response.json({
        list: [{ id: 'conn_other', status: 'active', clientReferenceId: 'x' }],
        hasMore: true,
      });
    };
    const error = await rejection(
      confirmConnection(
        { ...options(), fetch: endless },
        { connectionId: 'conn_1', clientReferenceId: 'user_1' },
      ),
    );
    expect(error).toMatchObject({ code: 'lookup_limit_reached', status: 503 });
    expect(error.message).toMatch(/first 5000 active connections.*webhook/);
    expect(counting.calls).toHaveLength(50);
  });

  it('finds a connection whatever the list order: oldest first or newest first', async () => {
    for (const order of ['oldest-first', 'newest-first'] as const) {
      sim.reset();
      sim.configure({ connectionOrder: order });
      for (let i = 0; i < 250; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
      const target = sim.addConnection({ clientReferenceId: 'user_1' });
      const counted = countingFetch();
      const connection = await confirmConnection(
        { ...options(), fetch: counted.fetch },
        { connectionId: target.id, clientReferenceId: 'user_1' },
      );
      expect(connection.id).toBe(target.id);
      // oldest first it is on the third page; newest first on the first
      expect(counted.calls).toHaveLength(order === 'oldest-first' ? 3 : 1);
      expect(counted.urls.every((u) => u.includes('status=active'))).toBe(true);
    }
    sim.configure({ connectionOrder: 'oldest-first' });
  });

  it('resolves every id that waits with one pass over the pages, and gives one user one confirmation at a time', async () => {
    for (let i = 0; i < 120; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
    const target = sim.addConnection({ clientReferenceId: 'user_1' });
    const watching = watchedFetch();
    const opts = { ...options(), fetch: watching.fetch };
    const forged = Array.from({ length: 5 }, (_, i) =>
      confirmConnection(opts, { connectionId: `conn_forged_${i}`, clientReferenceId: `visitor_${i}` }).catch(
        (e: unknown) => e,
      ),
    );
    const same = [1, 2, 3].map(() =>
      confirmConnection(opts, { connectionId: target.id, clientReferenceId: 'user_1' }),
    );
    const another = await rejection(
      confirmConnection(opts, { connectionId: 'conn_other', clientReferenceId: 'user_1' }),
    );
    expect([another.code, another.status, another.retryAfter]).toEqual(['rate_limited', 429, 1]);
    const results = await Promise.all([...forged, ...same]);
    expect(results.slice(0, 5).map((e) => (e as OflinkServerError).code)).toEqual(
      Array(5).fill('connection_not_found'),
    );
    expect(results.slice(5).map((c) => (c as { id: string }).id)).toEqual([target.id, target.id, target.id]);
    expect(watching.most).toBe(1);
    // one pass of the two pages answers all nine
    expect(watching.calls).toBe(2);
  });

  it('lets an id that arrives during a pass join it, and finishes it when the pass comes round again', async () => {
    for (let i = 0; i < 250; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
    const first = sim.connections()[0] as { id: string; clientReferenceId: string };
    const watching = watchedFetch();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // the second page waits until the late id has joined
    const gated: typeof fetch = async (input, init) => {
      if (watching.calls === 1) await gate;
      return watching.fetch(input, init);
    };
    const opts = { ...options(), fetch: gated };
    const forged = confirmConnection(opts, {
      connectionId: 'conn_forged',
      clientReferenceId: 'visitor',
    }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(watching.done).toBe(1));
    // joins at the second page; the first page, where it is, comes after the wrap
    const pending = confirmConnection(opts, {
      connectionId: first.id,
      clientReferenceId: first.clientReferenceId,
    });
    open();
    const late = await pending;
    expect(late.id).toBe(first.id);
    expect(((await forged) as OflinkServerError).code).toBe('connection_not_found');
    expect(watching.calls).toBe(4);
  });

  it("keeps another user's genuine confirmation within twice its own pages under a flood of forged ids", async () => {
    for (let i = 0; i < 250; i++) sim.addConnection({ clientReferenceId: `other_${i}` });
    const genuine = sim.addConnection({ clientReferenceId: 'user_genuine' });
    sim.configure({ latencyMs: 40 });
    const pagesOf = async (
      opts: ReturnType<typeof options> & { fetch: typeof fetch },
      calls: () => number,
    ) => {
      const before = calls();
      await confirmConnection(opts, { connectionId: genuine.id, clientReferenceId: 'user_genuine' });
      return calls() - before;
    };
    const quiet = watchedFetch();
    const alone = await pagesOf({ ...options(), fetch: quiet.fetch }, () => quiet.calls);
    const loud = watchedFetch();
    const opts = { ...options(), fetch: loud.fetch };
    // 40 visitors, each with a forged id, then 40 more forged ids from one of them (refused at once)
    const flood = Array.from({ length: 80 }, (_, i) =>
      confirmConnection(opts, {
        connectionId: `conn_forged_${i}`,
        clientReferenceId: `visitor_${i % 40}`,
      }).catch((e: unknown) => (e as OflinkServerError).code),
    );
    await vi.waitFor(() => expect(loud.calls).toBeGreaterThan(0));
    const flooded = await pagesOf(opts, () => loud.calls);
    const codes = await Promise.all(flood);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(40);
    expect(codes.filter((c) => c === 'connection_not_found')).toHaveLength(40);
    expect(alone).toBe(3);
    expect(flooded).toBeLessThanOrEqual(2 * alone);
    sim.configure({ latencyMs: 0 });
  });

  it('throws server_misconfigured without an apiKey, naming OFAUTH_API_KEY', async () => {
    const saved = process.env.OFAUTH_API_KEY;
    delete process.env.OFAUTH_API_KEY;
    try {
      const error = await rejection(
        confirmConnection({ baseUrl: sim.url }, { connectionId: 'conn_1', clientReferenceId: 'u' }),
      );
      expect(error.code).toBe('server_misconfigured');
      expect(error.status).toBe(500);
      expect(error.message).toMatch(/OFAUTH_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OFAUTH_API_KEY = saved;
    }
  });
});
