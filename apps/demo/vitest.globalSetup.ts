import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { demoViteConfig } from './vite.config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A fresh production build of the demo client (React 19). */
    clientDir: string;
    /** The same sources built against React 18. */
    clientDirReact18: string;
  }
}

/** Builds the client (React 19 and 18) once per run into temp dirs, so tests never depend on a prior `pnpm build`. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'oflink-demo-client-'));
  const dir18 = await mkdtemp(join(tmpdir(), 'oflink-demo-client-react18-'));
  await build({ ...demoViteConfig({ outDir: dir }), logLevel: 'error' });
  await build({ ...demoViteConfig({ react: '18', outDir: dir18 }), logLevel: 'error' });
  project.provide('clientDir', dir);
  project.provide('clientDirReact18', dir18);
  return async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(dir18, { recursive: true, force: true });
  };
}
