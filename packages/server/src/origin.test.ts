// The own-origin rule where apps really run: the address in request.url is often not the one the
// browser used (next start, reverse proxies, Vite's dev proxy), so the browser's own word decides.
import { describe, expect, it, vi } from 'vitest';
import { checkOrigin, originPolicy } from './origin';

const policy = (allowed: string[] = [], trust = false) => originPolicy(allowed, trust, 'test');
const request = (url: string, headers: Record<string, string>) =>
  new Request(url, { method: 'POST', headers, body: '{}' });
const ok = (url: string, headers: Record<string, string>, p = policy()) =>
  checkOrigin(request(url, headers), p).ok;

describe('the own-origin rule', () => {
  it('next start: request.url names localhost, the browser says same-origin → allowed', () => {
    const headers = {
      origin: 'https://app.example.com',
      host: 'app.example.com',
      'sec-fetch-site': 'same-origin',
    };
    expect(ok('http://localhost:3000/api/oflink/session', headers)).toBe(true);
  });

  it("Vite's dev proxy (changeOrigin rewrites Host to the API server) → allowed on the browser's word", () => {
    const headers = {
      origin: 'http://localhost:5173',
      host: '127.0.0.1:3000',
      'sec-fetch-site': 'same-origin',
    };
    expect(ok('http://127.0.0.1:3000/api/oflink/session', headers)).toBe(true);
  });

  it('a browser without Fetch Metadata: the Origin must be the Host it sent (either scheme, a proxy may end TLS)', () => {
    const url = 'http://10.0.0.5:8080/api/oflink/session';
    expect(ok(url, { origin: 'https://app.example.com', host: 'app.example.com' })).toBe(true);
    expect(ok(url, { origin: 'http://app.example.com', host: 'app.example.com' })).toBe(true);
    expect(ok(url, { origin: 'https://evil.example', host: 'app.example.com' })).toBe(false);
    expect(ok(url, { origin: 'https://app.example.com:444', host: 'app.example.com' })).toBe(false);
  });

  it('a refusal names each origin the request was sent to once', () => {
    const verdict = checkOrigin(
      request('http://localhost:5192/api/oflink/session', {
        origin: 'https://evil.example',
        host: 'localhost:5192',
      }),
      policy(),
    );
    expect(verdict).toMatchObject({
      ok: false,
      seen: 'https://evil.example',
      why: 'it is not the origin the request was sent to (http://localhost:5192, https://localhost:5192)',
    });
  });

  it('X-Forwarded-Host counts only with trustForwardedHeaders', () => {
    const url = 'http://10.0.0.5:8080/api/oflink/session';
    const headers = {
      origin: 'https://app.example.com',
      host: '10.0.0.5:8080',
      'x-forwarded-host': 'app.example.com',
      'x-forwarded-proto': 'https',
    };
    expect(ok(url, headers)).toBe(false);
    expect(ok(url, headers, policy([], true))).toBe(true);
    // a forged X-Forwarded-Host still cannot beat the browser's cross-site mark
    expect(ok(url, { ...headers, 'sec-fetch-site': 'cross-site' }, policy([], true))).toBe(false);
  });

  it('cross-site, same-site, none and unknown Fetch Metadata are refused whatever the Origin or Host say', () => {
    const url = 'https://app.example.com/api/oflink/session';
    for (const site of ['cross-site', 'same-site', 'none', 'garbage']) {
      const v = checkOrigin(
        request(url, { origin: 'https://app.example.com', host: 'app.example.com', 'sec-fetch-site': site }),
        policy(),
      );
      expect(v).toMatchObject({ ok: false, seen: 'https://app.example.com' });
    }
  });

  it('a listed origin passes from another site, with CORS headers; same-origin gets none', () => {
    const url = 'https://api.example.com/api/oflink/session';
    const p = policy(['https://app.example.com']);
    expect(
      checkOrigin(request(url, { origin: 'https://app.example.com', 'sec-fetch-site': 'same-site' }), p),
    ).toEqual({
      ok: true,
      cors: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      },
    });
    expect(
      checkOrigin(request(url, { origin: 'https://api.example.com', 'sec-fetch-site': 'same-origin' }), p),
    ).toEqual({ ok: true, cors: {} });
  });

  it('no Origin and no Fetch Metadata is a client that is not a browser (curl, server code) → allowed', () => {
    expect(ok('https://app.example.com/x', {})).toBe(true);
  });

  it('DNS rebinding: Host and Origin both name the attacker host → allowed here; the browser sends no cookies of the app, so the user is unknown (SECURITY.md)', () => {
    const headers = {
      origin: 'http://rebind.evil.test',
      host: 'rebind.evil.test',
      'sec-fetch-site': 'same-origin',
    };
    expect(ok('http://127.0.0.1:3000/api/oflink/session', headers)).toBe(true);
  });

  it('rejects allowedOrigins entries that are not exact origins, and a non-boolean trustForwardedHeaders', () => {
    for (const bad of ['https://*.example.com', 'https://app.example.com/path', 'app.example.com', 42]) {
      expect(() => originPolicy([bad], false, 'createLinkHandler')).toThrow(/exact origins/);
    }
    expect(() => originPolicy([], 'yes', 'createLinkHandler')).toThrow(/trustForwardedHeaders/);
    vi.restoreAllMocks();
  });
});
