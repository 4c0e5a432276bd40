// The redirect view: the tab itself goes to the hosted page; the callback page reports the outcome
// when the person comes back (`resume`).
import { type AttemptContext, cancelled, type LinkView } from './attempt';
import { safeReturnPath } from './callback';
import { warn } from './env';
import { REDIRECT_KEY, starterOf } from './relay';

/** Saves where the callback page sends the person back to, then leaves for the session. */
function leaveFor(ctx: AttemptContext, url: string): void {
  const loc = ctx.win.location;
  // a checked option, else the current page (null when its path could read as another host)
  const returnTo = safeReturnPath(
    ctx.host.options().returnTo ?? loc.pathname + loc.search + loc.hash,
    loc.origin,
  );
  try {
    const starter = starterOf(ctx.host.options());
    ctx.win.sessionStorage.setItem(
      REDIRECT_KEY,
      JSON.stringify({ id: ctx.id, returnTo, starter, at: Date.now() }),
    );
  } catch {
    try {
      if (process.env.NODE_ENV !== 'production')
        warn('sessionStorage is unavailable: the callback page will not know where to return.');
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
  }
  ctx.host.emit({ type: 'opened', mode: 'redirect' });
  // Back from the hosted page may bring this very page back from the back-forward cache, its state
  // frozen at `open`: the person left Link, so the attempt ends as a cancellation and its record goes
  ctx.listen('pageshow', (e: PageTransitionEvent) => {
    if (!e.persisted) return;
    try {
      ctx.win.sessionStorage.removeItem(REDIRECT_KEY);
    } catch {
      // storage unavailable
    }
    ctx.end(cancelled('closed'));
  });
  loc.assign(url);
}

/** The redirect view: nothing to prepare or close; `show` leaves the page. */
export function redirectView(ctx: AttemptContext): LinkView {
  return {
    prepare: () => true,
    navigate: () => undefined,
    show: (session) => leaveFor(ctx, session.url),
    requestExit: () => false,
    hasUi: () => false,
    close: () => undefined,
  };
}
