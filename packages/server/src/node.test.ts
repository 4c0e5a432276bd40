// The Node entry (the `node` export condition) reaches OFAuth over node:http(s) when no fetch is
// given; the default entry (Workers, Deno, edge) uses the runtime's fetch; an app's fetch wins in both.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLinkSession } from './createLinkSession';
import { nodeTransport } from './nodeTransport';
import { listenOn, post } from './testSupport';
import { setDefaultTransport, USER_AGENT } from './upstream';

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

  it.each([
    ['fetch', undefined],
    ['node:http', nodeTransport],
  ] as const)('OFAuth receives the same request over %s', async (_name, transport) => {
    const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"mode":"hosted","url":"https://link.ofauth.com/cs_1","expiresAt":"2099-01-01T00:00:00Z"}');
      });
    });
    const base = await listenOn(server);
    try {
      setDefaultTransport(transport);
      const session = await createLinkSession(
        { apiKey: 'sk_test_key', baseUrl: `${base}/prefix`, clientAppId: 'app_1' },
        { clientReferenceId: 'user_1', geolocation: { country: 'US' } },
      );
      expect(session.url).toBe('https://link.ofauth.com/cs_1');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/prefix/v2/link/init' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      clientReferenceId: 'user_1',
      clientAppId: 'app_1',
      geolocation: { country: 'US' },
    });
    expect(seen[0]?.headers).toMatchObject({
      apikey: 'sk_test_key',
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    });
  });
});
