// The demo server the route tests run against (not part of the demo): a simulator on a free port, the
// demo server on it, visitors with their own cookie jar, and the hosted flow run with form posts.
import { type Simulator, startSimulator } from '@oflink/simulator';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { type DemoServer, startDemoServer, USER_COOKIE } from './startDemoServer';

// live bindings: a test file reads them once its hooks ran
export let sim: Simulator;
export let demo: DemoServer;

/** Starts a simulator and the demo server on it before the file's tests, and stops both after. */
export function withDemoServer(): void {
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, quiet: true, webhookRetryBaseMs: 50 });
    demo = await startDemoServer({ port: 0, simulator: sim, clientDir: inject('clientDir') });
  });

  afterAll(async () => {
    await demo?.stop();
    await sim?.stop();
  });
}

/** A visitor with its own cookie jar (one demo user). */
export function visitor() {
  let cookie = '';
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(`${demo.url}${path}`, { ...init, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    const m = set ? new RegExp(`${USER_COOKIE}=([^;]+)`).exec(set) : null;
    if (m) cookie = `${USER_COOKIE}=${m[1]}`;
    return res;
  };
  const json = (path: string, body: unknown) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: demo.url },
      body: JSON.stringify(body),
    });
  return {
    request,
    json,
    get user() {
      return cookie.slice(USER_COOKIE.length + 1);
    },
    /** Loads the page (which gives the visitor a demo user). */
    async arrive() {
      await (await request('/')).text();
      expect(this.user).toMatch(/^user_/);
    },
  };
}

/** Runs the hosted Link page of a session the way a browser would, with form posts. */
export async function completeHostedFlow(sessionUrl: string, email: string): Promise<URL> {
  const post = (form: Record<string, string>) =>
    fetch(sessionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  expect((await fetch(sessionUrl)).status).toBe(200);
  expect((await post({ step: 'pre-login', action: 'continue' })).status).toBeLessThan(400);
  const done = await post({ step: 'login', action: 'submit', email, password: 'good-password' });
  const location = done.headers.get('location');
  if (location) return new URL(location);
  // the done page navigates with a script; its "Return to the app" link has the same URL
  const html = await done.text();
  const m = /href="([^"]*\/callback\?[^"]*)"/.exec(html);
  expect(m, 'the hosted page sends the person back to the callback URL').not.toBeNull();
  return new URL(m![1]!.replaceAll('&amp;', '&'));
}
