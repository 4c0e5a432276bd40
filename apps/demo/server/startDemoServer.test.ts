// The demo server's routes over real HTTP, backed by a simulator on a free port: the visitor's cookie,
// the session endpoint and the confirm endpoint.
import { describe, expect, it } from 'vitest';
import { demo, sim, visitor, withDemoServer } from './demoTestKit';
import { USER_COOKIE } from './startDemoServer';

withDemoServer();

describe('cookie', () => {
  it('gives a first-time visitor a random demo user in an HttpOnly, SameSite=Lax cookie', async () => {
    const res = await fetch(`${demo.url}/`);
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(new RegExp(`^${USER_COOKIE}=user_[A-Za-z0-9_-]{16};`));
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).toContain('Path=/');
    const other = await fetch(`${demo.url}/connections`);
    expect(other.headers.get('set-cookie')).not.toBe(set);
  });

  it('keeps the user of a returning visitor and sets no new cookie', async () => {
    const v = visitor();
    await v.arrive();
    const res = await v.request('/api/oflink/connections');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual({ connections: [] });
  });

  it('replaces a malformed cookie with a fresh user', async () => {
    const res = await fetch(`${demo.url}/`, { headers: { cookie: `${USER_COOKIE}=../../etc` } });
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${USER_COOKIE}=user_`));
  });
});

describe('POST /api/oflink/session', () => {
  it('creates a hosted session for the demo user with the callback page as redirectUrl', async () => {
    const v = visitor();
    await v.arrive();
    const res = await v.json('/api/oflink/session', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const body = (await res.json()) as { mode: string; url: string; expiresAt: string };
    expect(body.mode).toBe('hosted');
    expect(body.url.startsWith(sim.url)).toBe(true);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const record = sim.sessions().find((s) => body.url.includes(s.id));
    expect(record?.clientReferenceId).toBe(v.user);
    expect(record?.redirectUrl).toBe(`${demo.url}/callback`);
  });

  it('gives a session even on the very first request, which also sets the cookie', async () => {
    const v = visitor();
    const res = await v.json('/api/oflink/session', {});
    expect(res.status).toBe(200);
    expect(v.user).toMatch(/^user_/);
  });

  it('refuses a request from another origin', async () => {
    const v = visitor();
    await v.arrive();
    const res = await v.request('/api/oflink/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');
  });

  it('refuses a client-sent clientReferenceId', async () => {
    const v = visitor();
    await v.arrive();
    const res = await v.json('/api/oflink/session', { clientReferenceId: 'user_someoneelse000000' });
    expect(res.status).toBe(400);
  });

  it('refuses to reconnect a connection the user does not own, and allows it once confirmed', async () => {
    const v = visitor();
    await v.arrive();
    const conn = sim.addConnection({ clientReferenceId: v.user });
    const refused = await v.json('/api/oflink/session', { connectionId: conn.id });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('connection_not_owned');
    expect((await v.json('/api/oflink/confirm', { connectionId: conn.id })).status).toBe(200);
    const allowed = await v.json('/api/oflink/session', { connectionId: conn.id });
    expect(allowed.status).toBe(200);
    const body = (await allowed.json()) as { url: string };
    expect(sim.sessions().find((s) => body.url.includes(s.id))?.connectionId).toBe(conn.id);
  });
});

describe('POST /api/oflink/confirm', () => {
  it("answers the user's active connection with the account's name, username and avatar", async () => {
    const v = visitor();
    await v.arrive();
    const conn = sim.addConnection({
      clientReferenceId: v.user,
      userData: { id: '42', name: 'Ana Lima', username: 'analima', avatar: 'https://img.example/a.png' },
    });
    const res = await v.json('/api/oflink/confirm', { connectionId: conn.id });
    expect(res.status).toBe(200);
    const { connection } = (await res.json()) as { connection: Record<string, unknown> };
    expect(connection).toMatchObject({
      id: conn.id,
      status: 'active',
      userData: { name: 'Ana Lima', username: 'analima', avatar: 'https://img.example/a.png' },
    });
    const list = (await (await v.request('/api/oflink/connections')).json()) as {
      connections: { id: string }[];
    };
    expect(list.connections.map((c) => c.id)).toEqual([conn.id]);
  });

  it.each([
    ['an unknown connection', 404, 'connection_not_found', () => 'conn_doesnotexist000'],
    [
      "another user's connection",
      403,
      'connection_not_owned',
      () => sim.addConnection({ clientReferenceId: 'user_AAAAAAAAAAAAAAAA' }).id,
    ],
  ])('answers %s with %i %s and records nothing', async (_name, status, code, makeId) => {
    const v = visitor();
    await v.arrive();
    const res = await v.json('/api/oflink/confirm', { connectionId: makeId() });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await (await v.request('/api/oflink/connections')).json()).toEqual({ connections: [] });
  });

  it('answers an expired connection with 404 connection_not_found (only active connections confirm)', async () => {
    const v = visitor();
    await v.arrive();
    const conn = sim.addConnection({ clientReferenceId: v.user, status: 'expired' });
    const res = await v.json('/api/oflink/confirm', { connectionId: conn.id });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('connection_not_found');
  });

  it.each([
    ['no body', undefined],
    ['a malformed id', JSON.stringify({ connectionId: 'nope' })],
    ['not JSON', 'connectionId=conn_1'],
  ])('answers 400 invalid_request for %s', async (_name, body) => {
    const v = visitor();
    await v.arrive();
    const res = await v.request('/api/oflink/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('answers 405 to GET', async () => {
    const res = await fetch(`${demo.url}/api/oflink/confirm`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
