import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/react-vite';
import { tsImport } from 'tsx/esm/api';
import { mergeConfig, type UserConfig } from 'vite';

// Storybook evaluates this file with Node's own resolution (no extensionless relative imports),
// so the workspace's TypeScript sources it needs are loaded through tsx.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const config: StorybookConfig = {
  stories: ['../packages/react/src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-vitest'],
  framework: { name: '@storybook/react-vite', options: { strictMode: true } },
  // mockServiceWorker.js (MSW 2), served at the root of the preview
  staticDirs: ['./public'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  typescript: { reactDocgen: 'react-docgen' },
  async viteFinal(vite) {
    const { oflinkSimulator } = (await tsImport(
      './simulatorPlugin.ts',
      import.meta.url,
    )) as typeof import('./simulatorPlugin');
    const ours: UserConfig = {
      // stories use the workspace packages from source, like the tests (vitest.shared.ts)
      resolve: {
        alias: {
          // subpaths first: an alias also matches the ids under it
          '@oflink/core/embed': here('../packages/core/src/embedEntry.ts'),
          '@oflink/core/internal': here('../packages/core/src/internal.ts'),
          '@oflink/react/embed': here('../packages/react/src/embed.ts'),
          '@oflink/core': here('../packages/core/src/index.ts'),
          '@oflink/react': here('../packages/react/src/index.ts'),
        },
      },
      // hosted Link pages and the /v2 API of a simulator started with the dev server (never in a build)
      plugins: [oflinkSimulator()],
      build: {
        rolldownOptions: {
          // every @oflink/react module starts with 'use client' (for RSC apps); a static
          // Storybook has no server components, so dropping the directive is expected here
          onwarn(warning, warn) {
            if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
          },
        },
      },
    };
    return mergeConfig(vite, ours);
  },
};

export default config;
