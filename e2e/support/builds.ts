import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The demo client builds a project can serve. */
export const DEMO_BUILDS = ['react19', 'react18', 'react19-dev', 'react18-dev'] as const;
export type DemoBuild = (typeof DEMO_BUILDS)[number];

/**
 * Where a demo client build lives: the production builds where `pnpm --filter demo build` puts them,
 * the development builds in a cache folder outside version control.
 *
 * @example
 * demoClientDir('react18'); // <repo>/apps/demo/dist-react18
 */
export function demoClientDir(build: DemoBuild): string {
  switch (build) {
    case 'react19':
      return join(REPO_ROOT, 'apps/demo/dist');
    case 'react18':
      return join(REPO_ROOT, 'apps/demo/dist-react18');
    default:
      return join(REPO_ROOT, 'node_modules/.cache/oflink-e2e', build);
  }
}
