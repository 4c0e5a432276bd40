import { parseArgs } from 'node:util';
import type { SimulatorApp, SimulatorOptions } from './options';
import type { Simulator } from './types';

/** The usage text of `oflink-simulator`: every option with its default. */
export const USAGE = `Usage: oflink-simulator [options]
       oflink-simulator --new-webhook-secret

A local OFAuth: the /v2 API, the hosted Link pages and signed webhooks, on this machine.

Options:
  --port PORT                   port to listen on; 0 picks a free one              (default 4010)
  --host HOST                   address to listen on                               (default 127.0.0.1)
  --api-key KEY                 an accepted apiKey; repeat for several             (default sk_sandbox_simulator)
  --app ID[=URI[,URI]...]       a client app and its redirect URIs; repeat         (default app_demo, any
                                                                                   http://localhost:* and
                                                                                   http://127.0.0.1:* URI)
  --allowed-origin ORIGIN       an extra origin allowed to frame the hosted page   (default none)
  --webhook-url URL             where signed webhooks are sent                     (default none: no webhooks)
  --webhook-secret whsec_...    the webhook signing secret                         (default $OFAUTH_WEBHOOK_SECRET,
                                                                                   else a new one each start)
  --session-ttl SECONDS         how long a Link session lives                      (default 1800)
  --coop                        send Cross-Origin-Opener-Policy: same-origin       (default off)
  --quiet                       print nothing but the banner                       (default off)
  --new-webhook-secret          print a new whsec_ secret and exit
  -h, --help                    print this and exit

Keep the webhook secret stable across restarts: put one in OFAUTH_WEBHOOK_SECRET (the app reads the
same variable), e.g. OFAUTH_WEBHOOK_SECRET=$(npx @oflink/simulator --new-webhook-secret).
Sign in on the hosted page with any @creator.sandbox.com address and the password good-password.`;

/** A CLI usage error; its message says what to fix. */
export class CliError extends Error {
  override name = 'CliError';
}

const CLI_OPTIONS = {
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
  'new-webhook-secret': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readArgs(args: string[]) {
  try {
    return parseArgs({ args, strict: true, options: CLI_OPTIONS }).values;
  } catch (e) {
    throw new CliError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
}

/**
 * Turn `oflink-simulator` arguments into {@link SimulatorOptions}.
 * @example parseCliArgs(['--port', '0', '--app', 'app_x=http://localhost:3000/cb']).apps?.[0]?.id // 'app_x'
 */
export function parseCliArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): SimulatorOptions & { help?: boolean; newWebhookSecret?: boolean } {
  const values = readArgs(argv);
  const out: SimulatorOptions & { help?: boolean; newWebhookSecret?: boolean } = {};
  if (values.help) out.help = true;
  if (values['new-webhook-secret']) out.newWebhookSecret = true;
  if (values.port !== undefined) out.port = portArg(values.port);
  if (values.host) out.host = values.host;
  if (values['api-key']?.length) out.apiKeys = values['api-key'];
  if (values['allowed-origin']?.length) out.allowedOrigins = values['allowed-origin'].map(originArg);
  if (values.app?.length) out.apps = values.app.map(appArg);
  if (values['webhook-url']) out.webhookUrl = webhookUrlArg(values['webhook-url']);
  const secret = values['webhook-secret'] ?? (env.OFAUTH_WEBHOOK_SECRET || undefined);
  if (secret !== undefined) {
    if (!secret.startsWith('whsec_'))
      throw new CliError(
        `${values['webhook-secret'] ? '--webhook-secret' : 'OFAUTH_WEBHOOK_SECRET'} must look like whsec_<base64>.`,
      );
    out.webhookSecret = secret;
  }
  if (values['session-ttl'] !== undefined) out.sessionTtlSeconds = ttlArg(values['session-ttl']);
  if (values.coop) out.coop = true;
  if (values.quiet) out.quiet = true;
  return out;
}

function portArg(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be a number from 0 to 65535, got "${value}".`);
  return port;
}

function originArg(origin: string): string {
  if (!/^https?:\/\/[^/]+$/.test(origin))
    throw new CliError(`--allowed-origin must be an origin like http://localhost:3000, got "${origin}".`);
  return origin;
}

/** `--app ID[=REDIRECT_URI[,REDIRECT_URI]...]`: the app, its redirect URIs and their origins. */
function appArg(spec: string): SimulatorApp {
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
  return { id, redirectUris: uris, allowedOrigins: origins, ...(first ? { defaultRedirectUri: first } : {}) };
}

function webhookUrlArg(url: string): string {
  if (!URL.canParse(url)) throw new CliError(`--webhook-url must be a URL, got "${url}".`);
  return url;
}

function ttlArg(value: string): number {
  const ttl = Number(value);
  if (!(ttl > 0)) throw new CliError(`--session-ttl must be a positive number of seconds, got "${value}".`);
  return ttl;
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
