/** The code of one app entry built for production by Vite 8 (rolldown) or webpack 5: see appBuild.mjs. */
export function appBuild(
  bundler: 'vite' | 'webpack',
  entry: string,
  options: { root: string; external: readonly string[]; bundlerFrom?: string },
): Promise<string>;
