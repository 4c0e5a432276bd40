import type { SimulatorApp, SimulatorOptions } from './options';
import { LOCAL_PATTERNS, originMatches } from './origins';
import type { Store } from './store';

/** What every part of the simulator reads: the live options, the store and the base URL. */
export interface SimContext {
  /** The options, changed in place by `configure`. */
  readonly opts: SimulatorOptions;
  readonly store: Store;
  /** `http://host:port`, known once the server listens. */
  baseUrl(): string;
  log(line: string): void;
}

/** The accepted API keys (at least one). */
export const apiKeysOf = (opts: SimulatorOptions): string[] =>
  opts.apiKeys && opts.apiKeys.length > 0 ? opts.apiKeys : ['sk_sandbox_simulator'];

/** The client apps (at least one; the first is the default). */
export const appsOf = (opts: SimulatorOptions): SimulatorApp[] =>
  opts.apps && opts.apps.length > 0 ? opts.apps : [{ id: 'app_demo' }];

/** Whether `app` may be framed by `origin` (its own list, or any localhost, plus the global extras). */
export const originAllowed = (opts: SimulatorOptions, app: SimulatorApp, origin: string): boolean =>
  [...(app.allowedOrigins ?? LOCAL_PATTERNS), ...(opts.allowedOrigins ?? [])].some((p) =>
    originMatches(origin, p),
  );

/** Whether any app may be framed by `origin`: a page for no known session still answers such a frame. */
export const anyAppAllows = (opts: SimulatorOptions, origin: string): boolean =>
  appsOf(opts).some((app) => originAllowed(opts, app, origin));
