import type { SimContext } from './context';
import type { Reply } from './http';
import { invalidPage, type PageContext, pageContext, stepPage } from './pages';
import { SCENARIOS, scenarioForEmail } from './scenarios';
import { isOpenStep, isTerminal, type SessionInternal } from './store';

/**
 * The session id a hosted page path names: `/cs_…` or `/s/…`. A garbled id is still a hosted
 * page path (it answers the invalid page, and `invalid_session` in a frame), so it gives ''.
 */
export function hostedSessionId(pathname: string): string | null {
  const m = /^\/(?:s\/([^/]*)|(cs_[^/]*))$/.exec(pathname);
  if (!m) return null;
  const id = m[1] ?? m[2] ?? '';
  return /^cs_[A-Za-z0-9]+$/.test(id) ? id : '';
}

function succeed(ctx: SimContext, s: SessionInternal, page: PageContext): Reply {
  s.resultConnectionId = ctx.store.complete(s).id;
  s.state = 'success';
  return stepPage(ctx, s, page);
}

function fail(ctx: SimContext, s: SessionInternal, page: PageContext, code: string): Reply {
  s.state = 'error';
  s.errorCode = code;
  return stepPage(ctx, s, page);
}

function login(ctx: SimContext, s: SessionInternal, page: PageContext, form: URLSearchParams): Reply {
  const email = (form.get('email') ?? '').trim();
  s.email = email;
  const scenario = scenarioForEmail(email);
  s.badLogin = !scenario || form.get('password') !== scenario.password;
  if (!scenario || s.badLogin) {
    const error = scenario
      ? 'Wrong email or password. Try again.'
      : 'Use a sandbox email such as ana@creator.sandbox.com.';
    return stepPage(ctx, s, page, error);
  }
  s.scenarioId = scenario.id;
  if (scenario.outcome === 'account_locked') return fail(ctx, s, page, 'account_locked');
  if (scenario.loginType === 'app_otp') {
    s.state = '2fa';
    return stepPage(ctx, s, page);
  }
  return succeed(ctx, s, page);
}

function code(ctx: SimContext, s: SessionInternal, page: PageContext, form: URLSearchParams): Reply {
  const scenario = SCENARIOS.find((x) => x.id === s.scenarioId);
  if (scenario?.outcome === '2fa_failed') return fail(ctx, s, page, '2fa_failed');
  if ((form.get('code') ?? '').trim() !== scenario?.otpCode)
    return stepPage(ctx, s, page, 'That code is not right. Try again.');
  return succeed(ctx, s, page);
}

/** A step's form was sent: move the session on. */
function submit(ctx: SimContext, s: SessionInternal, page: PageContext, raw: string): Reply {
  const form = new URLSearchParams(raw);
  const action = form.get('action');
  const formStep = form.get('step');
  if (action === 'exit') {
    // the page's answer to exit_requested: the session is spent, the frame already said so
    s.cancelStep = isOpenStep(formStep) ? formStep : isOpenStep(s.state) ? s.state : null;
    s.state = 'cancelled';
    return { status: 204, headers: {}, body: '' };
  }
  // A form from an older step (another tab, back button) shows where the session is now.
  if (formStep !== s.state) return stepPage(ctx, s, page);
  if (action === 'cancel') {
    s.cancelStep = isOpenStep(s.state) ? s.state : null;
    s.state = 'cancelled';
    return stepPage(ctx, s, page);
  }
  if (s.state === 'pre-login') {
    s.state = 'login';
    return stepPage(ctx, s, page);
  }
  return s.state === 'login' ? login(ctx, s, page, form) : code(ctx, s, page, form);
}

/** A hosted Link page: `GET` shows where the session is, `POST` sends a step's form. */
export function hosted(ctx: SimContext, method: string, url: URL, id: string, raw: string): Reply {
  const s = id ? ctx.store.find(id) : undefined;
  const page = pageContext(ctx, method, url, s);
  if (!s) return invalidPage(ctx, undefined, page, 404);
  // A session URL is single use: once it reached an outcome (or expired) it is no longer valid.
  if (isTerminal(s)) return invalidPage(ctx, s, page, 410);
  if (method !== 'GET' && method !== 'POST')
    return { status: 405, headers: { allow: 'GET, POST' }, body: '' };
  return method === 'GET' ? stepPage(ctx, s, page) : submit(ctx, s, page, raw);
}
