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
  }
}

/** Builds the client once per run into a temp dir, so tests never depend on a prior `pnpm build`. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'oflink-demo-client-'));
  await build({ ...demoViteConfig({ outDir: dir }), logLevel: 'error' });
  project.provide('clientDir', dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
