import { type Simulator, startSimulator } from '@oflink/simulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import { type Defect, ENDPOINT, OWN, OWNED_CONNECTION, PARTNER, TABLE_4XX } from '../test/fuzzParts';
import { build, requestSpec } from '../test/fuzzRequests';
import { createLinkHandler } from './session';

/**
 * Property fuzzing of the session endpoint: thousands of generated bad requests, each with at least one
 * defect of the server README's error table. The handler talks to a real simulator on 127.0.0.1.
 */

const API_KEY = `sk_sandbox_fuzz_${Math.random().toString(36).slice(2)}`;
const RUNS = 5000;

let sim: Simulator;
let upstreamCalls = 0;
const onErrorSeen: unknown[] = [];
const sessionUrls: string[] = [];

function makeHandler() {
  return createLinkHandler({
    apiKey: API_KEY,
    baseUrl: sim.url,
    allowedOrigins: [PARTNER],
    retries: 0,
    timeoutMs: 5000,
    getClientReferenceId: (request) => request.headers.get('x-test-user'),
    ownsConnection: (ref, id) => ref === 'user_1' && id === OWNED_CONNECTION,
    fetch: (input, init) => {
      upstreamCalls++;
      return fetch(input, init);
    },
    onError: (error) => {
      onErrorSeen.push(error);
    },
  });
}

/** Everything a leak could hide in: message, stack, cause chain and enumerable fields. */
function dump(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || v === undefined || seen.has(v)) return;
    if (typeof v !== 'object' && typeof v !== 'function') {
      parts.push(String(v));
      return;
    }
    seen.add(v);
    if (v instanceof Error) parts.push(v.name, v.message, v.stack ?? '');
    for (const key of Object.getOwnPropertyNames(v)) {
      walk((v as Record<string, unknown>)[key], depth + 1);
    }
    if (v instanceof Error) walk(v.cause, depth + 1);
  };
  walk(value, 0);
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: covered by the walk
  }
  return parts.join('\n');
}

/** What must never be shown: the apiKey and session URLs (and, in public answers, the upstream's address). */
function leaks(text: string, publicAnswer = true): string | null {
  if (text.includes(API_KEY)) return 'apiKey';
  for (const url of sessionUrls) if (text.includes(url)) return `session URL ${url}`;
  for (const url of sessionUrls) if (text.includes(new URL(url).pathname)) return `session path of ${url}`;
  if (publicAnswer && text.includes(new URL(sim.url).host)) return 'upstream address';
  return null;
}

const figures: { area: string; measure: string; value: string | number; goal: string }[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true, apiKeys: [API_KEY] });
  // Real sessions first, so the leak check looks for URLs that exist.
  const handler = makeHandler();
  for (const geo of [undefined, { country: 'US' }]) {
    const res = await handler(
      new Request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: OWN, 'x-test-user': 'user_1' },
        body: JSON.stringify(geo ? { geolocation: geo } : {}),
      }),
    );
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url.startsWith(sim.url)).toBe(true);
    sessionUrls.push(url);
  }
  upstreamCalls = 0;
});

afterAll(async () => {
  await sim?.stop();
  writeFigures('server-fuzz', figures);
});

describe('createLinkHandler under property fuzzing', () => {
  it(`answers ${RUNS} generated bad requests with a 4xx JSON error of the table, naming a defect the request has, without reaching OFAuth or leaking`, async () => {
    const handler = makeHandler();
    let generated = 0;
    const violations: string[] = [];
    const codes = new Map<string, number>();

    const run = fc.assert(
      fc.asyncProperty(requestSpec, async (spec) => {
        const built = build(spec);
        fc.pre(built !== null);
        if (!built) return;
        // Only an allowed cross-origin preflight may answer 2xx; the generator never sends one.
        fc.pre(!(built.request.method === 'OPTIONS' && spec.origin.value === PARTNER));
        expect(built.defects.size).toBeGreaterThan(0);
        generated++;

        let res: Response;
        try {
          res = await handler(built.request);
        } catch (error) {
          violations.push(`threw ${String(error)}`);
          throw error;
        }
        const text = await res.text();
        const problem = (() => {
          if (res.status < 400 || res.status > 499) return `status ${res.status}`;
          if (!res.headers.get('content-type')?.startsWith('application/json')) return 'not JSON';
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return 'body not JSON';
          }
          const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
          if (!error || typeof error.code !== 'string' || typeof error.message !== 'string')
            return 'no {error:{code,message}}';
          if (Object.keys(parsed as object).length !== 1) return 'extra top-level keys';
          if (TABLE_4XX[error.code] !== res.status) return `code ${error.code} with status ${res.status}`;
          if (!built.defects.has(error.code as Defect)) {
            return `code ${error.code} but the request's defects are ${[...built.defects].join(', ')}`;
          }
          if (res.status === 405 && res.headers.get('allow') !== 'POST') return '405 without Allow: POST';
          const leak = leaks(text) ?? leaks([...res.headers].join('\n'));
          if (leak) return `leaked ${leak}`;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          return null;
        })();
        if (problem) {
          violations.push(`${problem} for ${built.request.method} ${JSON.stringify(spec).slice(0, 300)}`);
        }
        expect(problem).toBeNull();
      }),
      // A failure prints its seed; rerun it with OFLINK_FUZZ_SEED=<seed>.
      {
        numRuns: RUNS,
        seed: Number(process.env.OFLINK_FUZZ_SEED ?? Date.now() % 2 ** 31),
        endOnFailure: true,
      },
    );
    // Record the figures even when the property fails, then fail with fast-check's report.
    const failure = await run.then(
      () => null,
      (error: unknown) => error,
    );

    const onErrorLeak = leaks(onErrorSeen.map(dump).join('\n'), false);
    figures.push(
      { area: 'server fuzz', measure: 'bad session requests generated', value: generated, goal: `≥ ${RUNS}` },
      {
        area: 'server fuzz',
        measure: 'violations (non-4xx, wrong code, throw, leak)',
        value: violations.length,
        goal: '0',
      },
      { area: 'server fuzz', measure: 'bad requests that reached OFAuth', value: upstreamCalls, goal: '0' },
    );
    if (failure) throw failure;
    expect(generated).toBeGreaterThanOrEqual(RUNS);
    expect(violations).toEqual([]);
    expect(upstreamCalls).toBe(0);
    expect(onErrorLeak).toBeNull();
    // Every row of the 4xx table was hit, so the generator covers the whole table.
    expect([...codes.keys()].sort()).toEqual(Object.keys(TABLE_4XX).sort());
  }, 120_000);

  it('keeps the apiKey and session URLs out of the answer and out of onError when OFAuth fails and echoes them', async () => {
    const handler = makeHandler();
    const echo = `key ${API_KEY} for ${sessionUrls[0]}`;
    const faults = [
      { type: 'status', status: 401, body: { error: echo } },
      { type: 'status', status: 403, body: { error: echo } },
      { type: 'status', status: 400, body: { error: echo, url: sessionUrls[1] } },
      { type: 'status', status: 404, body: { message: echo } },
      { type: 'status', status: 500, body: { error: echo } },
      { type: 'status', status: 503, body: echo },
      { type: 'rate-limit', retryAfter: 1 },
      { type: 'malformed' },
      { type: 'reset' },
    ] as const;
    const leaked: string[] = [];
    for (const fault of faults) {
      const before = onErrorSeen.length;
      sim.injectFault(fault);
      const res = await handler(
        new Request(ENDPOINT, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: OWN, 'x-test-user': 'user_1' },
          body: '{}',
        }),
      );
      const text = await res.text();
      const label = `${fault.type} ${'status' in fault ? fault.status : ''}`;
      expect(res.status, label).toBeGreaterThanOrEqual(429);
      expect(JSON.parse(text)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      const received = onErrorSeen.slice(before);
      expect(received, `onError for ${label}`).toHaveLength(1);
      const leak = leaks(text) ?? leaks(received.map(dump).join('\n'), false);
      if (leak) leaked.push(`${label}: ${leak}`);
    }
    sim.clearFaults();
    figures.push({
      area: 'server fuzz',
      measure: `upstream failures (${faults.length} faults) whose answer or onError leaked the apiKey or a session URL`,
      value: leaked.length,
      goal: '0',
    });
    expect(leaked).toEqual([]);
  });
});
