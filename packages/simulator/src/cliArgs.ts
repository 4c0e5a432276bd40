import { parseArgs } from 'node:util';
import type { SimulatorApp, SimulatorOptions } from './options';
import type { Simulator } from './startSimulator';

/** The usage text of `oflink-simulator`. */
export const USAGE = `Usage: oflink-simulator [--port 4010] [--host 127.0.0.1] [--api-key KEY]...
  [--app ID=REDIRECT_URI[,REDIRECT_URI]...]... [--allowed-origin ORIGIN]...
  [--webhook-url URL] [--webhook-secret whsec_...] [--session-ttl SECONDS] [--coop] [--quiet]`;

/** A CLI usage error; its message says what to fix. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * Turn `oflink-simulator` arguments into {@link SimulatorOptions}.
 * @example parseCliArgs(['--port', '0', '--app', 'app_x=http://localhost:3000/cb']).apps?.[0]?.id // 'app_x'
 */
export function parseCliArgs(argv: string[]): SimulatorOptions & { help?: boolean } {
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        app: { type: 'string', multiple: true },
        'allowed-origin': { type: 'string', multiple: true },
        'webhook-url': { type: 'string' },
        'webhook-secret': { type: 'string' },
        'session-ttl': { type: 'string' },
        coop: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    values = parse(argv).values;
  } catch (e) {
    throw new CliError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const out: SimulatorOptions & { help?: boolean } = {};
  if (values.help) out.help = true;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port must be a number from 0 to 65535, got "${values.port}".`);
    out.port = port;
  }
  if (values.host) out.host = values.host;
  if (values['api-key']?.length) out.apiKeys = values['api-key'];
  if (values['allowed-origin']?.length) {
    for (const o of values['allowed-origin'])
      if (!/^https?:\/\/[^/]+$/.test(o))
        throw new CliError(`--allowed-origin must be an origin like http://localhost:3000, got "${o}".`);
    out.allowedOrigins = values['allowed-origin'];
  }
  if (values.app?.length) {
    out.apps = values.app.map((spec): SimulatorApp => {
      const eq = spec.indexOf('=');
      const id = eq === -1 ? spec : spec.slice(0, eq);
      if (!/^app_[a-zA-Z0-9]+$/.test(id))
        throw new CliError(`--app id must match ^app_[a-zA-Z0-9]+$, got "${id}".`);
      if (eq === -1) return { id };
      const uris = spec
        .slice(eq + 1)
        .split(',')
        .filter(Boolean);
      for (const u of uris)
        if (!u.endsWith(':*') && !URL.canParse(u)) throw new CliError(`--app ${id}: "${u}" is not a URL.`);
      const origins = [...new Set(uris.map((u) => (u.endsWith(':*') ? u : new URL(u).origin)))];
      const first = uris.find((u) => !u.endsWith(':*'));
      return {
        id,
        redirectUris: uris,
        allowedOrigins: origins,
        ...(first ? { defaultRedirectUri: first } : {}),
      };
    });
  }
  if (values['webhook-url']) {
    if (!URL.canParse(values['webhook-url']))
      throw new CliError(`--webhook-url must be a URL, got "${values['webhook-url']}".`);
    out.webhookUrl = values['webhook-url'];
  }
  if (values['webhook-secret']) {
    if (!values['webhook-secret'].startsWith('whsec_'))
      throw new CliError('--webhook-secret must look like whsec_<base64>.');
    out.webhookSecret = values['webhook-secret'];
  }
  if (values['session-ttl'] !== undefined) {
    const ttl = Number(values['session-ttl']);
    if (!(ttl > 0))
      throw new CliError(
        `--session-ttl must be a positive number of seconds, got "${values['session-ttl']}".`,
      );
    out.sessionTtlSeconds = ttl;
  }
  if (values.coop) out.coop = true;
  if (values.quiet) out.quiet = true;
  return out;
}

/**
 * The lines the CLI prints once it listens: base URL, keys, apps, webhooks.
 * @example formatBanner(sim).includes(sim.url) // true
 */
export function formatBanner(sim: Simulator): string {
  const o = sim.options();
  const lines = [`oflink simulator listening on ${sim.url}`, `  API keys:   ${(o.apiKeys ?? []).join(', ')}`];
  for (const app of o.apps ?? []) {
    const redirects = (app.redirectUris ?? ['http://localhost:*', 'http://127.0.0.1:*']).join(', ');
    lines.push(
      `  client app: ${app.id} (redirects: ${redirects}${app.defaultRedirectUri ? `; default ${app.defaultRedirectUri}` : ''})`,
    );
  }
  if (o.allowedOrigins?.length) lines.push(`  extra allowed origins: ${o.allowedOrigins.join(', ')}`);
  lines.push(
    o.webhookUrl
      ? `  webhooks:   ${o.webhookUrl} (secret ${sim.webhookSecret})`
      : '  webhooks:   off (pass --webhook-url)',
  );
  lines.push(`  sessions:   ${o.sessionTtlSeconds ?? 1800} s${o.coop ? ', COOP same-origin' : ''}`);
  lines.push(`  try:        curl -X POST ${sim.url}/v2/link/init -H 'apiKey: ${o.apiKeys?.[0] ?? ''}'`);
  return lines.join('\n');
}
