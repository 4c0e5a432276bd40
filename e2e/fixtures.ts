import { type Simulator, startSimulator } from '@oflink/simulator';
import { test as base, expect } from '@playwright/test';
import { type DemoServer, startDemoServer } from '../apps/demo/server/startDemoServer';
import { type AttackerServer, startAttacker } from './support/attacker';
import { type DemoBuild, demoClientDir } from './support/builds';

/** Options a Playwright project sets (see playwright.config.ts). */
export interface E2EOptions {
  /** Which build of the demo client is served (React 19 or 18, production or development). */
  demoBuild: DemoBuild;
}

interface WorkerFixtures {
  /** This worker's simulator (a local OFAuth on a free port). */
  sim: Simulator;
  /** This worker's demo server, talking to `sim`. */
  demo: DemoServer;
  /** This worker's attacker server (another origin). */
  attacker: AttackerServer;
}

interface TestFixtures {
  /** Restores the simulator's run-time options after each test (tests in a worker run one after another). */
  simDefaults: undefined;
}

/**
 * The e2e `test`: every worker runs its own simulator, demo server and attacker server on free
 * ports (started once, stopped after its last test); every test gets its own browser context.
 */
export const test = base.extend<TestFixtures, WorkerFixtures & E2EOptions>({
  demoBuild: ['react19', { option: true, scope: 'worker' }],
  baseURL: async ({ demo }, use) => use(demo.url),
  sim: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const sim = await startSimulator({ port: 0, quiet: true, webhookRetryBaseMs: 250 });
      await use(sim);
      await sim.stop();
    },
    { scope: 'worker' },
  ],
  demo: [
    async ({ sim, demoBuild }, use) => {
      const demo = await startDemoServer({
        port: 0,
        host: '127.0.0.1',
        clientDir: demoClientDir(demoBuild),
        simulator: sim,
      });
      await use(demo);
      await demo.stop();
    },
    { scope: 'worker' },
  ],
  attacker: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const attacker = await startAttacker();
      await use(attacker);
      await attacker.stop();
    },
    { scope: 'worker' },
  ],
  // the popup attempt's record lives only in the popup's copy of the tab's storage: every page keeps
  // the last one its tab wrote, for the tests that forge relays with the real id and nonce
  context: async ({ context }, use) => {
    await context.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (this: Storage, key: string, value: string) {
        if (key === 'oflink:popup')
          (window as unknown as { __oflinkAttempt?: string }).__oflinkAttempt = value;
        setItem.call(this, key, value);
      };
    });
    await use(context);
  },
  simDefaults: [
    async ({ sim }, use) => {
      const defaults = { ...sim.options() };
      await use(undefined);
      sim.clearFaults();
      sim.configure({ coop: defaults.coop ?? false, sessionTtlSeconds: defaults.sessionTtlSeconds ?? 1800 });
    },
    { auto: true },
  ],
});

export { expect };
