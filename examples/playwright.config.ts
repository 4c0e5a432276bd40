import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium';
import type { ExampleOptions } from './harness/fixtures';

/**
 * The example apps as users install them (npm, from the packed tarballs), in production builds, in
 * Debian's Chromium against the simulator: examples/harness/globalSetup.ts installs, builds and
 * starts everything; each project is one app.
 */
export default defineConfig<ExampleOptions>({
  testDir: 'harness',
  testMatch: '**/*.spec.ts',
  outputDir: '../test-results/examples',
  globalSetup: './harness/globalSetup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    [
      'json',
      process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? {} : { outputFile: '../test-results/examples-report.json' },
    ],
  ],
  use: {
    launchOptions: chromiumLaunchOptions,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    { name: 'nextjs', use: { app: 'nextjs' }, testMatch: /(connect|connections|refusals)\.spec\.ts/ },
    {
      name: 'vite-express',
      use: { app: 'vite-express' },
      testMatch: /(connect|connections|refusals)\.spec\.ts/,
    },
    { name: 'vite-express-react18', use: { app: 'vite-express-react18' }, testMatch: 'connect.spec.ts' },
    { name: 'vite-hono', use: { app: 'vite-hono' }, testMatch: /(connect|connections|refusals)\.spec\.ts/ },
    // React Router 7, framework mode with SSR: on react-router-serve and on its Node listener
    {
      name: 'react-router-serve',
      use: { app: 'react-router-serve' },
      testMatch: /(connect|connections|refusals)\.spec\.ts/,
    },
    {
      name: 'react-router-node',
      use: { app: 'react-router-node' },
      testMatch: /(connect|refusals)\.spec\.ts/,
    },
    // Vite's dev server with its proxy to the API: the flows that touch the endpoints
    {
      name: 'vite-dev-proxy',
      use: { app: 'vite-dev-proxy' },
      testMatch: /(connect|refusals)\.spec\.ts/,
      grep: /@proxy|refusals/,
    },
    // what a bundler makes of @oflink/server imported by browser code
    { name: 'bundlers', use: { app: 'vite-express' }, testMatch: 'serverInBrowser.spec.ts' },
  ],
});
