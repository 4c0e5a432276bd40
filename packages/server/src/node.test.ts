// The Node entry (the `node` export condition) reaches OFAuth over node:http(s) when no fetch is
// given; the default entry (Workers, Deno, edge) uses the runtime's fetch; an app's fetch wins in both.
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { post } from './testSupport';
import { setDefaultTransport } from './upstream';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true });
});
afterAll(() => sim.stop());
afterEach(() => {
  vi.restoreAllMocks();
  setDefaultTransport(undefined);
});

describe('entries', () => {
  it('the default entry uses fetch; the Node entry does not, unless the app passes its own', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, getClientReferenceId: () => 'user_1' };

    const index = await import('./index');
    const viaFetch = await index.createLinkHandler(options)(post({}));
    expect(viaFetch.status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(1);

    const node = await import('./node');
    expect(node.createLinkHandler).toBe(index.createLinkHandler);
    const viaHttp = await node.createLinkHandler(options)(post({}));
    expect(viaHttp.status).toBe(200);
    expect(((await viaHttp.json()) as { url: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cs_/);
    expect(spy).toHaveBeenCalledTimes(1); // not called again

    const appFetch = vi.fn<typeof fetch>((input, init) => fetch(input, init));
    const viaAppFetch = await node.createLinkHandler({ ...options, fetch: appFetch })(post({}));
    expect(viaAppFetch.status).toBe(200);
    expect(appFetch).toHaveBeenCalledTimes(1);
    expect(sim.sessions()).toHaveLength(3);
  });

  it('the Node entry exports exactly what the default entry does', async () => {
    const [index, node] = await Promise.all([import('./index'), import('./node')]);
    expect(Object.keys(node).sort()).toEqual(Object.keys(index).sort());
  });
});
