import { test as base, expect, type Page } from '@playwright/test';
import type { AppName } from './globalSetup';

/** Options a project sets (see examples/playwright.config.ts). */
export interface ExampleOptions {
  /** Which running example app the tests drive. */
  app: AppName;
}

interface Fixtures {
  /** The simulator's URL (the hosted Link pages are there). */
  simUrl: string;
  /** A page signed in to the app as a user of its own (tests share the app's server and store). */
  signedIn: Page;
}

const urls = () => JSON.parse(process.env.OFLINK_EXAMPLES ?? '{}') as Record<AppName, string>;

export const test = base.extend<Fixtures & ExampleOptions>({
  app: ['nextjs', { option: true }],
  baseURL: async ({ app }, use) => use(urls()[app]),
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's dependencies from this pattern
  simUrl: async ({}, use) => use(process.env.OFLINK_EXAMPLES_SIM ?? ''),
  signedIn: async ({ page }, use) => {
    await page.goto(`/api/sign-in?user=e2e-${Math.random().toString(36).slice(2, 10)}`);
    await use(page);
  },
});

/** The connections the app's server stored for the signed-in user (its connections endpoint). */
export async function storedConnections(page: Page): Promise<{ id: string; status: string }[]> {
  const response = await page.request.get('/api/oflink/connections');
  expect(response.status()).toBe(200);
  return ((await response.json()) as { connections: { id: string; status: string }[] }).connections;
}

export { expect };
