// toNodeHandler writing the answer: whole, with a wrapper's headers, exactly as the Fetch handler
// answers; cookies; a handler that throws; in Express.
import { request as httpRequest } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { json, linkHandler, listen, send, sim, withSimulator } from '../test/nodeRequests';
import { type NodeHandler, toNodeHandler } from './node';
import { createLinkHandler } from './session';

withSimulator();

describe('toNodeHandler on node:http', () => {
  it('writes createLinkHandler’s answer whole, with headers a wrapper added, and a body a wrapper replaced', async () => {
    const inner = linkHandler();
    const headered = await listen(
      toNodeHandler(async (request) => {
        const response = await inner(request);
        response.headers.set('x-request-id', 'req_1');
        return response;
      }) as NodeHandler,
    );
    const a = await send(`${headered}/api/oflink/session`, { headers: json(headered), chunks: ['{}'] });
    expect(a.status).toBe(200);
    expect(a.headers['x-request-id']).toBe('req_1');
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(a.body)).toMatchObject({ mode: 'hosted', url: sim.sessions()[0]?.url });

    // a wrapper that read the answer and returns a new one: the new body is what is written
    const rewritten = await listen(
      toNodeHandler(async (request) => {
        const response = await inner(request);
        const body = (await response.json()) as { url: string };
        return Response.json({ wrapped: body.url }, { status: 201 });
      }) as NodeHandler,
    );
    const b = await send(`${rewritten}/api/oflink/session`, { headers: json(rewritten), chunks: ['{}'] });
    expect(b.status).toBe(201);
    expect(JSON.parse(b.body)).toEqual({ wrapped: sim.sessions()[1]?.url });

    // a wrapper that read the answer and still returns it: its body is gone, and that is an error
    const consumed = await listen(
      toNodeHandler(async (request) => {
        const response = await inner(request);
        await response.text();
        return response;
      }) as NodeHandler,
    );
    const c = await send(`${consumed}/api/oflink/session`, { headers: json(consumed), chunks: ['{}'] });
    expect(c.status).toBe(500);
    expect(JSON.parse(c.body)).toMatchObject({ error: { code: 'internal_error' } });
  });

  it('answers exactly as createLinkHandler’s Fetch handler does, for every kind of request (the direct path)', async () => {
    const seen: { url: string; method: string; user: string | null }[] = [];
    const handler = createLinkHandler({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      allowedOrigins: ['https://sibling.example'],
      getClientReferenceId: (request) => {
        seen.push({ url: request.url, method: request.method, user: request.headers.get('x-user') });
        return request.headers.get('x-user');
      },
    });
    const mounted = await listen(toNodeHandler(handler) as NodeHandler);
    const path = '/api/oflink/session?v=1';
    const big = JSON.stringify({ geolocation: { city: 'x'.repeat(5000) } });
    const cases: {
      name: string;
      method?: string;
      headers: Record<string, string>;
      body?: string | Buffer;
    }[] = [
      { name: 'ok', headers: json(mounted), body: '{"geolocation":{"country":"US"}}' },
      { name: 'not json', headers: json(mounted), body: '{"geolocation":' },
      { name: 'not utf-8', headers: json(mounted), body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
      { name: 'too large, declared', headers: json(mounted), body: big },
      { name: 'unknown field', headers: json(mounted), body: '{"clientReferenceId":"x"}' },
      { name: 'text/plain', headers: json(mounted, { 'content-type': 'text/plain' }), body: '{}' },
      { name: 'signed out', headers: json(mounted, { 'x-user': '' }), body: '{}' },
      { name: 'reconnect', headers: json(mounted), body: '{"connectionId":"conn_1"}' },
      { name: 'empty body', headers: json(mounted), body: '' },
      { name: 'sibling origin', headers: json('https://sibling.example'), body: '{}' },
      {
        name: 'preflight',
        method: 'OPTIONS',
        headers: { origin: 'https://sibling.example', 'access-control-request-method': 'POST' },
      },
      { name: 'GET', method: 'GET', headers: json(mounted) },
    ];
    const compared = ['content-type', 'cache-control', 'x-content-type-options', 'allow', 'vary'];
    const shape = (body: string) => {
      if (body === '') return '';
      const parsed = JSON.parse(body) as { url?: string; expiresAt?: string; error?: unknown };
      return parsed.error ?? { mode: 'hosted', url: typeof parsed.url, expiresAt: typeof parsed.expiresAt };
    };
    for (const c of cases) {
      const method = c.method ?? 'POST';
      const headers = { ...c.headers };
      if (c.body !== undefined) headers['content-length'] = String(Buffer.byteLength(c.body));
      const direct = await handler(
        new Request(`${mounted}${path}`, {
          method,
          headers,
          ...(c.body === undefined
            ? {}
            : { body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body) }),
        }),
      );
      const directBody = await direct.text();
      const viaNode = await send(`${mounted}${path}`, {
        method,
        headers,
        chunks: c.body === undefined ? [] : [c.body],
      });
      expect({ case: c.name, status: viaNode.status }).toEqual({ case: c.name, status: direct.status });
      for (const name of [...compared, ...[...direct.headers.keys()].filter((k) => k.startsWith('access-'))])
        expect({ case: c.name, [name]: viaNode.headers[name] }).toEqual({
          case: c.name,
          [name]: direct.headers.get(name) ?? undefined,
        });
      expect({ case: c.name, body: shape(viaNode.body) }).toEqual({ case: c.name, body: shape(directBody) });
    }
    // the requests getClientReferenceId saw were the same on both paths (URL, method, headers)
    expect(seen.length % 2).toBe(0);
    for (let i = 0; i < seen.length; i += 2) expect(seen[i + 1]).toEqual(seen[i]);
    expect(seen[0]).toEqual({ url: `${mounted}${path}`, method: 'POST', user: 'user_1' });
  });

  it('writes several Set-Cookie headers separately', async () => {
    const url = await listen(
      toNodeHandler(async () => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1; Path=/');
        headers.append('set-cookie', 'b=2; Path=/');
        return new Response('ok', { status: 201, headers });
      }) as NodeHandler,
    );
    const res = await send(url, { method: 'GET' });
    expect(res.status).toBe(201);
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.body).toBe('ok');
  });

  it('answers 500 internal_error JSON when the handler throws and there is no next', async () => {
    const url = await listen(
      toNodeHandler(async () => {
        throw new Error('boom');
      }) as NodeHandler,
    );
    const res = await send(url, { method: 'GET' });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(res.body).not.toContain('boom');
  });

  it('aborts request.signal when the client goes away', async () => {
    let seen: AbortSignal | undefined;
    let release: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const url = await listen(
      toNodeHandler(async (request) => {
        seen = request.signal;
        request.signal.addEventListener('abort', () => release());
        await aborted;
        return new Response('late');
      }) as NodeHandler,
    );
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'GET', agent: false });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await aborted;
    expect(seen?.aborted).toBe(true);
  });

  it('throws at once when given something that is not a handler', () => {
    expect(() => toNodeHandler('nope' as unknown as () => Promise<Response>)).toThrow(
      /handler must be a function/,
    );
  });
});

describe('toNodeHandler in Express', () => {
  it('passes a thrown error to next(err)', async () => {
    const app = express();
    app.get(
      '/x',
      toNodeHandler(async () => {
        throw new Error('boom');
      }),
    );
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(599).json({ caught: error.message });
    });
    const url = await listen(app);
    const res = await send(`${url}/x`, { method: 'GET' });
    expect(res.status).toBe(599);
    expect(JSON.parse(res.body)).toEqual({ caught: 'boom' });
  });

  it('uses a body already parsed by express.json() and keeps the mount path in the URL', async () => {
    const app = express();
    const router = express.Router();
    let seenUrl = '';
    const handler = linkHandler();
    router.post(
      '/oflink/session',
      toNodeHandler(async (request) => {
        seenUrl = request.url;
        return handler(request);
      }),
    );
    app.use(express.json());
    app.use('/api', router);
    const url = await listen(app);
    const ok = await send(`${url}/api/oflink/session`, {
      headers: json(url),
      chunks: ['{"geolocation":{"country":"DE"}}'],
    });
    expect(ok.status).toBe(200);
    expect(seenUrl).toBe(`${url}/api/oflink/session`);
    expect(sim.sessions()[0]?.geolocation).toEqual({ country: 'DE' });
    const bad = await send(`${url}/api/oflink/session`, {
      headers: json(url),
      chunks: ['{"clientReferenceId":"x"}'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('invalid_request');
  });
});
