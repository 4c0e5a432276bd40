import type { ExitMetadata, SuccessMetadata } from '@oflink/protocol';
import { anyAppAllows, appsOf, originAllowed, type SimContext } from './context';
import { type PageMessage, type PageModel, renderPage } from './hostedPage';
import type { Reply } from './http';
import { SANDBOX_CODE, SANDBOX_PASSWORD, SCENARIOS } from './scenarios';
import type { SessionInternal } from './store';

/** What a hosted page request asks for besides the session: its form action, theme and frame. */
export interface PageContext {
  action: string;
  theme: 'light' | 'dark' | 'auto';
  /** The origin allowed to frame this page and receive its messages, or null outside a frame. */
  embedOrigin: string | null;
  /** A page load (`GET`), not a step's form answer: OFAuth's single-page flow says `loaded` only then. */
  pageLoad: boolean;
}

/**
 * Reads `theme`, `embed` and `embed_origin`. The frame origin must be allowed for the session's
 * app, or, for a session nobody knows, for any app: such a frame still gets `invalid_session`.
 */
export function pageContext(
  ctx: SimContext,
  method: string,
  url: URL,
  s: SessionInternal | undefined,
): PageContext {
  const t = url.searchParams.get('theme');
  const theme = t === 'light' || t === 'dark' ? t : 'auto';
  const o = url.searchParams.get('embed_origin');
  let embedOrigin: string | null = null;
  if (url.searchParams.get('embed') === 'true' && o && URL.canParse(o)) {
    const app = s ? appsOf(ctx.opts).find((a) => a.id === s.appId) : undefined;
    const allowed = app ? originAllowed(ctx.opts, app, o) : !s && anyAppAllows(ctx.opts, o);
    if (allowed) embedOrigin = new URL(o).origin;
  }
  return { action: `${url.pathname}${url.search}`, theme, embedOrigin, pageLoad: method === 'GET' };
}

function pageReply(ctx: SimContext, status: number, html: string, page: PageContext): Reply {
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': page.embedOrigin
      ? `frame-ancestors 'self' ${page.embedOrigin}`
      : "frame-ancestors 'none'",
  };
  if (ctx.opts.coop) headers['cross-origin-opener-policy'] = 'same-origin';
  return { status, headers, body: html };
}

type Model = Omit<PageModel, 'action' | 'theme' | 'embedOrigin' | 'messageShape' | 'postLoaded'>;

function render(ctx: SimContext, page: PageContext, model: Model, status = 200): Reply {
  // OFAuth's page is one application: it says `loaded` when it loads, not on each step
  const postLoaded = page.pageLoad || !(ctx.opts.loadedOnce ?? true);
  const full: PageModel = {
    ...model,
    action: page.action,
    theme: page.theme,
    embedOrigin: page.embedOrigin,
    messageShape: ctx.opts.messageShape ?? 'v4',
    postLoaded,
  };
  return pageReply(ctx, status, renderPage(full), page);
}

/** The session's redirect URL with the callback parameters (PROTOCOL.md §2), or null without one. */
export function callbackUrl(s: SessionInternal, params: Record<string, string>): string | null {
  if (!s.redirectUrl) return null;
  const u = new URL(s.redirectUrl);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (s.clientReferenceId !== null) u.searchParams.set('client_reference_id', s.clientReferenceId);
  return u.toString();
}

function sandboxInfo(s: SessionInternal): PageModel['sandboxInfo'] {
  if (!s.apiKey.startsWith('sk_sandbox_')) return null;
  return {
    scenarios: SCENARIOS.map(({ outcome: _o, ...rest }) => rest),
    activeScenarioId: s.scenarioId ?? 'creator',
    // OFAuth's library shows the code on the screen it calls "otp"
    currentScreen: s.state === '2fa' ? 'otp' : s.state,
  };
}

/** The page for a session nobody knows, one already used, or one expired: it posts `invalid_session`. */
export function invalidPage(
  ctx: SimContext,
  s: SessionInternal | undefined,
  page: PageContext,
  status: number,
): Reply {
  const expired = s?.state === 'expired';
  return render(
    ctx,
    page,
    {
      step: 'error',
      outcome: 'invalid',
      title: expired ? 'This link has expired' : 'This link is not valid',
      text: expired
        ? 'Go back to the app and start again.'
        : 'It was already used or never existed. Go back to the app and start again.',
      exitStep: 'error',
      sandboxInfo: null,
      message: { event: 'invalid_session' },
      navigateTo: s && expired ? callbackUrl(s, { status: 'error', error_code: 'session_expired' }) : null,
    },
    status,
  );
}

const TITLES: Record<'pre-login' | 'login' | '2fa', [string, string]> = {
  'pre-login': [
    'Connect your OnlyFans account',
    'The app asks to connect to your account through OFAuth. Continue to log in.',
  ],
  login: [
    'Log in to OnlyFans',
    `Sandbox: use any email @<scenario>.sandbox.com and the password ${SANDBOX_PASSWORD}.`,
  ],
  '2fa': ['Enter your one-time code', `Sandbox: the code is ${SANDBOX_CODE}.`],
};

function successPage(ctx: SimContext, s: SessionInternal, page: PageContext): Reply {
  const conn = s.resultConnectionId ? ctx.store.connections.get(s.resultConnectionId) : undefined;
  const successUrl = callbackUrl(s, { status: 'success', connection_id: s.resultConnectionId ?? '' });
  const userData = conn?.userData ?? null;
  const metadata: SuccessMetadata = {
    successUrl: successUrl ?? '',
    redirect: s.mode === 'redirect' && successUrl !== null,
    connection: { id: s.resultConnectionId ?? '', userData },
    user: userData,
  };
  return render(ctx, page, {
    step: 'done',
    outcome: 'success',
    title: 'Connected',
    text: 'Your account is connected. You can return to the app.',
    exitStep: 'success',
    sandboxInfo: null,
    message: { event: 'success', metadata },
    navigateTo: successUrl,
  });
}

/** The page of a session the person left, or that failed. */
function endPage(ctx: SimContext, s: SessionInternal, page: PageContext): Reply {
  if (s.state !== 'cancelled') return errorPage(ctx, s, page);
  const step = s.cancelStep ?? 'pre-login';
  const metadata: ExitMetadata = { type: 'user_exit', step, error: null };
  return render(ctx, page, {
    step: 'done',
    outcome: 'cancelled',
    title: 'Cancelled',
    text: 'Nothing was connected.',
    exitStep: step,
    sandboxInfo: null,
    message: { event: 'exit', metadata },
    navigateTo: callbackUrl(s, { status: 'cancelled', step }),
  });
}

const ERROR_TEXT: Record<string, string> = {
  account_locked: 'This account is locked. Unlock it on OnlyFans, then try again.',
  '2fa_failed': 'The one-time code was rejected.',
};

function errorPage(ctx: SimContext, s: SessionInternal, page: PageContext): Reply {
  const code = s.errorCode ?? 'unknown_error';
  const text = ERROR_TEXT[code] ?? 'Something went wrong.';
  const message: PageMessage = {
    event: 'exit',
    metadata: {
      type: 'error',
      step: code === '2fa_failed' ? '2fa' : 'login',
      error: { error_type: code, error_message: text },
    },
  };
  return render(ctx, page, {
    step: 'error',
    outcome: 'error',
    title: 'Could not connect',
    text,
    exitStep: 'error',
    sandboxInfo: null,
    message,
    navigateTo: callbackUrl(s, { status: 'error', error_code: code }),
  });
}

/** The page for where the session is now: a step's form, or its outcome. */
export function stepPage(ctx: SimContext, s: SessionInternal, page: PageContext, error?: string): Reply {
  if (s.state === 'pre-login' || s.state === 'login' || s.state === '2fa') {
    const [title, text] = TITLES[s.state];
    return render(ctx, page, {
      step: s.state,
      title,
      text,
      error,
      email: s.email ?? undefined,
      exitStep: s.state,
      sandboxInfo: sandboxInfo(s),
      message: null,
      navigateTo: null,
    });
  }
  return s.state === 'success' ? successPage(ctx, s, page) : endPage(ctx, s, page);
}
