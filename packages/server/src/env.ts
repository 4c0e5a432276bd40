// Internal: the OFAUTH_* variables, read at each use (never when a module loads), so a route module
// that is imported while `next build` collects its configuration needs none of them.

/** The environment variables every server function falls back to. */
export interface OfauthEnv {
  /** `OFAUTH_API_KEY` */
  apiKey?: string;
  /** `OFAUTH_BASE_URL` */
  baseUrl?: string;
  /** `OFAUTH_CLIENT_APP_ID` */
  clientAppId?: string;
  /** `OFAUTH_REDIRECT_URL` */
  redirectUrl?: string;
  /** `OFAUTH_WEBHOOK_SECRET` */
  webhookSecret?: string;
  /** `OFAUTH_WEBHOOK_SECRET_OLD` (during a rotation) */
  webhookSecretOld?: string;
}

function variables(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

/** The OFAUTH_* variables that are set (an empty string counts as unset). */
export function ofauthEnv(): OfauthEnv {
  const v = variables();
  const read = (name: string) => (v[name] === undefined || v[name] === '' ? undefined : v[name]);
  const out: OfauthEnv = {};
  const pairs: [keyof OfauthEnv, string][] = [
    ['apiKey', 'OFAUTH_API_KEY'],
    ['baseUrl', 'OFAUTH_BASE_URL'],
    ['clientAppId', 'OFAUTH_CLIENT_APP_ID'],
    ['redirectUrl', 'OFAUTH_REDIRECT_URL'],
    ['webhookSecret', 'OFAUTH_WEBHOOK_SECRET'],
    ['webhookSecretOld', 'OFAUTH_WEBHOOK_SECRET_OLD'],
  ];
  for (const [key, name] of pairs) {
    const value = read(name);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** True unless `NODE_ENV` is `production`: development answers say more about a refusal. */
export function isDevelopment(): boolean {
  return variables().NODE_ENV !== 'production';
}
