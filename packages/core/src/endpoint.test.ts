// The one call of the app's own endpoints: what its answers become, and that a server that stalls
// (or an answer whose body never ends), or an app's function standing in for one, fails in a
// bounded time, as a LinkError.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { confirmOutcome } from './confirm';
import { callEndpoint, ENDPOINT_TIMEOUT_MS } from './endpoint';
import { LinkError } from './LinkError';
import { requestSession } from './session';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A fetch that answers nothing, as a stalled server: it only ends when its signal aborts. */
function stalledFetch() {
  const fetch = vi.fn(
    (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      }),
  );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('callEndpoint', () => {
  it('keeps a plain identifier code and cuts the message to 300 characters; markup codes fall back', async () => {
    const failure = (status: number, body: unknown) => {
      vi.stubGlobal('fetch', async () => Response.json(body, { status }));
      return callEndpoint('/api/oflink/confirm', 'POST', {}, undefined, 'confirm_failed').then(
        () => null,
        (e: unknown) => e,
      );
    };
    const long = await failure(500, { error: { code: 'upstream_timeout', message: 'x'.repeat(1_000_000) } });
    expect(long).toMatchObject({ code: 'upstream_timeout', status: 500 });
    expect((long as Error).message).toHaveLength(300);
    expect(await failure(400, { error: { code: '<img src=x onerror=alert(1)>' } })).toMatchObject({
      code: 'confirm_failed',
      message: 'The confirm endpoint answered 400.',
    });
  });

  it('a server that never answers fails as network_error at the deadline, and leaves no timer', async () => {
    vi.useFakeTimers();
    stalledFetch();
    const result = settled(
      callEndpoint('/api/oflink/session', 'POST', {}, undefined, 'session_request_failed'),
    );
    await vi.advanceTimersByTimeAsync(ENDPOINT_TIMEOUT_MS - 1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = (await result) as { error: LinkError };
    expect(error).toBeInstanceOf(LinkError);
    expect(error.code).toBe('network_error');
    expect(error.message).toBe(
      '/api/oflink/session did not answer within 60 s. Check the server behind it and try again.',
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an answer whose body never ends fails the same way, not as an empty success', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"mode":"hosted",'));
          init.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const result = settled(callEndpoint('/api/oflink/confirm', 'POST', {}, undefined, 'confirm_failed'));
    await vi.advanceTimersByTimeAsync(ENDPOINT_TIMEOUT_MS);
    expect(await result).toEqual({ error: expect.objectContaining({ code: 'network_error' }) });
  });

  it("the caller's abort rejects with its reason (no LinkError), and the deadline goes with it", async () => {
    vi.useFakeTimers();
    stalledFetch();
    const aborter = new AbortController();
    const result = settled(callEndpoint('/api/oflink/connections', 'GET', undefined, aborter.signal, 'x'));
    const reason = new Error('unmounted');
    aborter.abort(reason);
    expect(await result).toEqual({ error: reason });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failure without an HTTP answer carries no status at all; an answered one carries its status', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const unreached = await callEndpoint('/x', 'GET', undefined, undefined, 'x').catch((e: unknown) => e);
    expect(Object.keys(unreached as object)).toEqual(['name', 'code']);
    vi.stubGlobal('fetch', async () => new Response(null, { status: 503 }));
    const answered = await callEndpoint('/x', 'GET', undefined, undefined, 'x').catch((e: unknown) => e);
    expect(answered).toMatchObject({ code: 'x', status: 503, name: 'LinkError' });
  });

  it('an endpoint that cannot be reached is network_error at once', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(
      callEndpoint('/api/oflink/session', 'POST', {}, undefined, 'session_request_failed'),
    ).rejects.toMatchObject({
      code: 'network_error',
      message: expect.stringMatching(/could not be reached/),
    });
  });
});

describe("the app's own functions get the same deadline", () => {
  it('a fetchSession that never settles, even ignoring its signal, fails as network_error at the deadline', async () => {
    vi.useFakeTimers();
    let given: AbortSignal | undefined;
    const fetchSession = vi.fn((_params: unknown, init: { signal: AbortSignal }) => {
      given = init.signal;
      return new Promise<never>(() => {});
    });
    const result = settled(requestSession({ fetchSession }, new AbortController().signal));
    expect(fetchSession).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(ENDPOINT_TIMEOUT_MS - 1);
    expect(given?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = (await result) as { error: LinkError };
    expect(error).toMatchObject({
      code: 'network_error',
      message: 'fetchSession did not answer within 60 s. Check the server behind it and try again.',
    });
    expect(given?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a confirm function that never settles ends the confirmation as a network_error outcome', async () => {
    vi.useFakeTimers();
    const success = { status: 'success', connectionId: 'conn_1', confirmed: false } as const;
    const result = confirmOutcome(() => new Promise<never>(() => {}), success, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(ENDPOINT_TIMEOUT_MS);
    const { outcome, error } = await result;
    expect(outcome).toMatchObject({ status: 'error', code: 'network_error' });
    expect(error).toBeInstanceOf(LinkError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a function that answers in time is untouched, its timer gone; the caller may still abort it', async () => {
    vi.useFakeTimers();
    const session = { mode: 'hosted', url: 'https://link.example/s/1', expiresAt: '2099-01-01T00:00:00Z' };
    await expect(
      requestSession({ fetchSession: async () => session as never }, new AbortController().signal),
    ).resolves.toEqual(session);
    expect(vi.getTimerCount()).toBe(0);
    const aborter = new AbortController();
    const reason = new Error('unmounted');
    const pending = settled(
      confirmOutcome(
        () => new Promise<never>(() => {}),
        {
          status: 'success',
          connectionId: 'conn_1',
          confirmed: false,
        },
        aborter.signal,
      ),
    );
    aborter.abort(reason);
    expect(await pending).toMatchObject({
      value: { outcome: { status: 'error', code: 'confirm_failed', message: 'unmounted' } },
    });
    expect(vi.getTimerCount()).toBe(0);
  });
});
