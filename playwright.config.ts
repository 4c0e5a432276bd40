import { defineConfig } from '@playwright/test';
import type { E2EOptions } from './e2e/fixtures';
import { chromiumLaunchOptions } from './scripts/chromium';

/**
 * End-to-end suite in Debian's Chromium: the demo (its server and built client), the simulator and
 * an attacker origin, all started per worker on free ports by e2e/fixtures.ts.
 * `scripts/test-all.mjs` runs it and reads the JSON report from PLAYWRIGHT_JSON_OUTPUT_NAME.
 */
export default defineConfig<E2EOptions>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/globalSetup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    // the env variable wins when set (test-all.mjs); else the report is kept beside the traces
    ['json', process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? {} : { outputFile: 'test-results/e2e-report.json' }],
  ],
  use: {
    launchOptions: {
      ...chromiumLaunchOptions,
      // look-alike attacker host names (`127.0.0.1.evil.test`, `ofauth.com.evil.test`) resolve to the
      // local attacker server; nothing leaves the machine
      args: [...chromiumLaunchOptions.args, '--host-resolver-rules=MAP *.evil.test 127.0.0.1'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    // everything against the production build (React 19), as it ships
    { name: 'react19', use: { demoBuild: 'react19' } },
    // the same demo built against React 18 runs the tests tagged @react18 (success and exits in
    // every mode, keyboard and accessibility)
    { name: 'react18', use: { demoBuild: 'react18' }, grep: /@react18/ },
    // development builds, where <StrictMode> double-invokes effects: the tests tagged @strict
    { name: 'react19-dev', use: { demoBuild: 'react19-dev' }, grep: /@strict/ },
    { name: 'react18-dev', use: { demoBuild: 'react18-dev' }, grep: /@strict/ },
  ],
});
