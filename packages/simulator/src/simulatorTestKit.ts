// The simulator the simulator's own tests run against (not part of the package): two client apps, one
// of them strict about redirects and origins; reset after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSimulator } from './startSimulator';
import type { Simulator } from './types';

/**
 * Starts the simulator before the file's tests and stops it after; `init` posts to its
 * `/v2/link/init` with its apiKey.
 */
export function simulatorFixture() {
  const fixture = {
    sim: undefined as unknown as Simulator,
    init: (body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${fixture.sim.url}/v2/link/init`, {
        method: 'POST',
        headers: { apiKey: fixture.sim.apiKey, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
  beforeAll(async () => {
    fixture.sim = await startSimulator({
      port: 0,
      quiet: true,
      apps: [
        { id: 'app_demo' },
        {
          id: 'app_strict',
          redirectUris: ['https://app.example/callback'],
          allowedOrigins: ['https://app.example'],
          defaultRedirectUri: 'https://app.example/callback',
        },
      ],
    });
  });
  afterAll(async () => {
    await fixture.sim.stop();
  });
  afterEach(() => {
    fixture.sim.reset();
    fixture.sim.configure({ initResponse: 'hosted', maxOpenSessions: undefined, latencyMs: 0 });
  });
  return fixture;
}
