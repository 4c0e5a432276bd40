// toNodeHandler reading the request: the Request it makes, streamed bodies and their limits, refusals
// before the body, a client that leaves.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { json, linkHandler, listen, send, sim, stalled, withSimulator } from '../test/nodeRequests';
import { type NodeHandler, toNodeHandler } from './node';

withSimulator();

describe('toNodeHandler on node:http', () => {
  it('turns the request into a Request (URL from Host, headers, streamed body) and writes the Response', async () => {
    const url = await listen(toNodeHandler(linkHandler()) as NodeHandler);
    const res = await send(`${url}/api/oflink/session`, {
      headers: json(url),
      chunks: ['{"geolocation":', '{"country":"US"}}'],
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toMatchObject({ mode: 'hosted', url: sim.sessions()[0]?.url });
    expect(sim.sessions()[0]).toMatchObject({ clientReferenceId: 'user_1', geolocation: { country: 'US' } });
  });

  it('reads a small body with a declared Content-Length at once, split over several packets', async () => {
    const url = await listen(toNodeHandler(linkHandler()) as NodeHandler);
    const body = '{"geolocation":{"country":"FR","city":"Paris"}}';
    const res = await send(`${url}/api/oflink/session`, {
      headers: json(url, { 'content-length': String(Buffer.byteLength(body)) }),
      chunks: [body.slice(0, 10), body.slice(10)],
    });
    expect(res.status).toBe(200);
    expect(sim.sessions()[0]).toMatchObject({ geolocation: { country: 'FR', city: 'Paris' } });
  });

  it('a client that leaves in the middle of a declared body aborts request.signal, never next(), and the server carries on', async () => {
    // the handler runs before the body arrives (its checks need none); reading the body then fails
    // when the client leaves, and request.signal tells it why
    const seen: string[] = [];
    let nexted = 0;
    const handler = toNodeHandler(async (request) => {
      if (request.headers.get('x-probe') === null) return new Response('after');
      try {
        await request.text();
        seen.push('read');
      } catch {
        seen.push(request.signal.aborted ? 'aborted' : 'failed');
      }
      return new Response('never');
    });
    const url = await listen((req: IncomingMessage, res: ServerResponse) =>
      handler(req, res, () => nexted++),
    );
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/x`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': '100', 'x-probe': '1' },
      });
      req.on('error', () => resolve());
      req.write('{"a":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await vi.waitFor(() => expect(seen).toEqual(['aborted']));
    // the server is still healthy and answers the next request
    const after = await send(`${url}/x`, { headers: { 'content-length': '2' }, chunks: ['{}'] });
    expect(after.status).toBe(200);
    expect(nexted).toBe(0);
  });

  it('answers a refused request before its declared body arrives (no body is ever sent)', async () => {
    const url = await listen(toNodeHandler(linkHandler()) as NodeHandler);
    for (const extra of [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'content-type': 'text/plain' },
    ] as Record<string, string>[]) {
      // headers only: the 60,000 bytes never come
      const answer = await stalled(`${url}/api/oflink/session`, {
        ...json(url),
        'content-length': '60000',
        ...extra,
      });
      expect([403, 415]).toContain(answer.status);
      expect(JSON.parse(answer.body).error.code).toMatch(/^(forbidden_origin|unsupported_media_type)$/);
    }
  });

  it('answers 408 request_timeout when an allowed request does not send its body within bodyTimeoutMs', async () => {
    const url = await listen(toNodeHandler(linkHandler({ bodyTimeoutMs: 300 })) as NodeHandler);
    for (const declared of ['100', null]) {
      const headers: Record<string, string> = { ...json(url) };
      if (declared) headers['content-length'] = declared;
      else headers['transfer-encoding'] = 'chunked';
      const answer = await stalled(`${url}/api/oflink/session`, headers, '{"geo');
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body).error.code).toBe('request_timeout');
    }
  });

  it('counts real bytes of a chunked body over 4 KB (no Content-Length) and still answers 413', async () => {
    const url = await listen(toNodeHandler(linkHandler()) as NodeHandler);
    const chunk = Buffer.alloc(1024, 0x20);
    const res = await send(`${url}/api/oflink/session`, {
      headers: { ...json(url), 'transfer-encoding': 'chunked' },
      chunks: ['{"a":1', chunk, chunk, chunk, chunk, chunk, chunk, '}'],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'body_too_large', message: expect.any(String) } });
  });

  it('keeps 405 + Allow and refuses a foreign Origin', async () => {
    const url = await listen(toNodeHandler(linkHandler()) as NodeHandler);
    const get = await send(`${url}/api/oflink/session`, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const foreign = await send(`${url}/api/oflink/session`, {
      headers: json('https://evil.example'),
      chunks: ['{}'],
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe('forbidden_origin');
  });
});
