// What OFAuth receives: the same request whatever fetch reaches it (the runtime's, or the app's).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenOn } from '../test/support';
import { createLinkSession } from './session';
import { USER_AGENT } from './upstream';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the request to OFAuth', () => {
  it.each([
    ['the runtime fetch', undefined],
    ['the app fetch', vi.fn<typeof fetch>((input, init) => fetch(input, init))],
  ] as const)('is the same over %s', async (_name, appFetch) => {
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
      const session = await createLinkSession(
        {
          apiKey: 'sk_test_key',
          baseUrl: `${base}/prefix`,
          clientAppId: 'app_1',
          ...(appFetch ? { fetch: appFetch } : {}),
        },
        { clientReferenceId: 'user_1', geolocation: { country: 'US' } },
      );
      expect(session.url).toBe('https://link.ofauth.com/cs_1');
      if (appFetch) expect(appFetch).toHaveBeenCalledTimes(1);
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
