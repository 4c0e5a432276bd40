import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/** Resolve workspace packages to their sources so tests never depend on a prior build. */
export const workspaceAliases: Record<string, string> = {
  // subpaths first: an alias also matches the ids under it
  '@oflink/core/embed': fileURLToPath(new URL('./packages/core/src/embedEntry.ts', import.meta.url)),
  '@oflink/core/internal': fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
  '@oflink/react/embed': fileURLToPath(new URL('./packages/react/src/embed.ts', import.meta.url)),
  '@oflink/core': src('core'),
  '@oflink/react': src('react'),
  '@oflink/server': src('server'),
  '@oflink/connections': src('connections'),
  '@oflink/simulator': src('simulator'),
  '@oflink/protocol': src('protocol'),
};
