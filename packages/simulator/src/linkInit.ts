import { appsOf, type SimContext } from './context';
import { json, type Reply, rand } from './http';
import { type InitRequest, parseInitRequest } from './initRequest';
import { LOCAL_PATTERNS, redirectAllowed } from './origins';
import type { SessionInternal } from './store';

/** `POST /v2/link/init`: creates a session for the app the body names (or the first one). */
export function linkInit(ctx: SimContext, raw: string, key: string): Reply {
  const { opts, store } = ctx;
  const parsed = parseInitRequest(raw);
  if (!parsed.ok) return json(400, { error: parsed.error });
  const body = parsed.value;
  const apps = appsOf(opts);
  const app = body.clientAppId ? apps.find((a) => a.id === body.clientAppId) : apps[0];
  if (!app) return json(404, { error: 'Client app not found' });
  if (
    body.redirectUrl !== undefined &&
    !redirectAllowed(body.redirectUrl, app.redirectUris ?? LOCAL_PATTERNS)
  ) {
    return json(400, { error: 'Invalid request: redirectUrl is not allowed for this client app' });
  }
  const redirect = body.redirectUrl ?? app.defaultRedirectUri ?? opts.defaultRedirectUri ?? null;
  // counting scans every session: only done when a limit is set
  if (opts.maxOpenSessions !== undefined && store.openCount() >= opts.maxOpenSessions)
    return json(403, { error: 'limit reached' });
  const session = newSession(ctx, body, app.id, key, redirect);
  store.sessions.set(session.id, session);
  const { url, expiresAt, clientSecret } = session;
  if (clientSecret) return json(200, { mode: 'whitelabel', clientSecret, expiresAt });
  if (opts.initResponse === 'legacy') return json(200, { url, expiresAt });
  return json(200, { mode: 'hosted', url, expiresAt });
}

/** A session at its first step, with its own id, hosted URL and expiry. */
function newSession(
  { opts, baseUrl }: SimContext,
  body: InitRequest,
  appId: string,
  key: string,
  redirect: string | null,
): SessionInternal {
  const id = `cs_${rand(18)}`;
  const now = Date.now();
  return {
    id,
    url: `${baseUrl()}${opts.sessionPath === 's' ? '/s' : ''}/${id}`,
    appId,
    apiKey: key,
    redirectUrl: redirect !== null && URL.canParse(redirect) ? redirect : null,
    clientReferenceId: body.clientReferenceId ?? null,
    connectionId: body.connectionId ?? null,
    geolocation: body.geolocation ?? null,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (opts.sessionTtlSeconds ?? 1800) * 1000).toISOString(),
    state: 'pre-login',
    scenarioId: null,
    email: null,
    errorCode: null,
    resultConnectionId: null,
    mode: body.mode ?? null,
    cancelStep: null,
    clientSecret: opts.initResponse === 'whitelabel' ? `${id}_secret_${rand(18)}` : null,
    badLogin: false,
  };
}
