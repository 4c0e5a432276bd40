import { getEventListeners } from 'node:events';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countingFetch, failOnUnhandledRejection } from '../test/support';
import { OflinkServerError } from './errors';
import { createLinkSession } from './session';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
  sim.configure({ initResponse: 'hosted' });
});
failOnUnhandledRejection();

const options = () => ({ apiKey: sim.apiKey, baseUrl: sim.url });

describe('createLinkSession', () => {
  it('creates a hosted session carrying every parameter', async () => {
    const session = await createLinkSession(
      { ...options(), clientAppId: 'app_demo', redirectUrl: 'http://localhost:3000/cb' },
      {
        clientReferenceId: 'user_7',
        connectionId: 'conn_abc',
        geolocation: { country: 'FR', city: 'Paris' },
      },
    );
    const [record] = sim.sessions();
    expect(session).toEqual({ mode: 'hosted', url: record?.url, expiresAt: record?.expiresAt });
    expect(record).toMatchObject({
      clientReferenceId: 'user_7',
      connectionId: 'conn_abc',
      geolocation: { country: 'FR', city: 'Paris' },
      redirectUrl: 'http://localhost:3000/cb',
    });
  });

  it('works with the /s/cs_… session URL style too', async () => {
    sim.configure({ sessionPath: 's' });
    try {
      const session = await createLinkSession(options(), { clientReferenceId: 'u' });
      expect(session.url).toMatch(/\/s\/cs_/);
    } finally {
      sim.configure({ sessionPath: 'root' });
    }
  });

  it.each([
    ['no clientReferenceId', {}],
    ['an empty clientReferenceId', { clientReferenceId: ' ' }],
    ['a malformed connectionId', { clientReferenceId: 'u', connectionId: 'c1' }],
    ['geolocation without country', { clientReferenceId: 'u', geolocation: { city: 'Paris' } }],
  ])('throws invalid_request for %s, without calling OFAuth', async (_name, params) => {
    const counting = countingFetch();
    await expect(
      createLinkSession({ ...options(), fetch: counting.fetch }, params as { clientReferenceId: string }),
    ).rejects.toMatchObject({ name: 'OflinkServerError', code: 'invalid_request', status: 400 });
    expect(counting.calls).toHaveLength(0);
  });

  it('throws the typed upstream error', async () => {
    sim.configure({ initResponse: 'whitelabel' });
    const error = await createLinkSession(options(), { clientReferenceId: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OflinkServerError);
    expect(error).toMatchObject({ code: 'unsupported_mode', status: 500 });
    expect(JSON.stringify(error)).not.toContain('_secret_');
    expect((error as Error).message).not.toContain('_secret_');
  });

  it('stops when the caller aborts', async () => {
    sim.injectFault({ type: 'latency', ms: 2000 });
    const controller = new AbortController();
    const pending = createLinkSession(options(), { clientReferenceId: 'u', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });

  it('does not call OFAuth when the caller has already aborted', async () => {
    const counting = countingFetch();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      createLinkSession(
        { ...options(), fetch: counting.fetch },
        { clientReferenceId: 'u', signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: 'upstream_unavailable', status: 502 });
    expect(sim.sessions()).toHaveLength(0);
  });

  it('lets go of the caller’s signal once answered (no listener left behind)', async () => {
    const controller = new AbortController();
    const session = await createLinkSession(options(), { clientReferenceId: 'u', signal: controller.signal });
    expect(session.url).toMatch(/\/cs_/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(sim.sessions()).toHaveLength(1);
  });
});

describe('error bodies from OFAuth, in every published shape', () => {
  it.each([
    ['{error}', { error: 'redirectUrl is not registered' }, undefined],
    [
      '{message, code, details}',
      {
        message: 'redirectUrl is not registered',
        code: 'invalid_redirect',
        details: { field: 'redirectUrl' },
      },
      'invalid_redirect',
    ],
    [
      '{error: {message, code}}',
      { error: { message: 'redirectUrl is not registered', code: 'invalid_redirect' } },
      'invalid_redirect',
    ],
  ])('reads %s into the message and upstreamCode', async (_, body, upstreamCode) => {
    sim.injectFault({ type: 'status', status: 400, body });
    const error = await createLinkSession(options(), { clientReferenceId: 'user_7' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OflinkServerError);
    expect(error).toMatchObject({ code: 'upstream_rejected', upstreamStatus: 400, upstreamCode });
    expect((error as Error).message).toContain('redirectUrl is not registered');
  });
});
