import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * Resolve workspace packages to their sources so tests never depend on a prior build. The server
 * package resolves to its Node entry (node:http to OFAuth), the one a Node app gets.
 */
export const workspaceAliases: Record<string, string> = {
  '@oflink/core': src('core'),
  '@oflink/react': src('react'),
  '@oflink/server': fileURLToPath(new URL('./packages/server/src/node.ts', import.meta.url)),
  '@oflink/simulator': src('simulator'),
  '@oflink/protocol': src('protocol'),
};
