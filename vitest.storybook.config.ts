import { fileURLToPath } from 'node:url';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumExecutable } from './scripts/chromium';

// Every story of .storybook/main.ts runs as a test (render + play function) in headless Chromium.
// The simulator is served by this run's dev server (.storybook/simulatorPlugin.ts).
export default defineConfig({
  plugins: [storybookTest({ configDir: fileURLToPath(new URL('./.storybook', import.meta.url)) })],
  test: {
    name: 'storybook',
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: chromiumExecutable, args: chromiumArgs } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
