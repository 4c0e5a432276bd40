// The redirect view: the tab itself goes to the hosted page; the callback page reports the outcome
// when the person comes back (`resume`).
import { warn } from './dev';
import { REDIRECT_KEY, safeReturnPath, starterOf, tabStorage, writeRecord } from './records';
import type { Attempt, LinkView } from './types';

/** The redirect view: nothing to prepare or close; `show` saves where to return, then leaves the page. */
export function redirectView(a: Attempt): LinkView {
  return {
    prepare: () => true,
    navigate: () => undefined,
    show(session) {
      const win = window;
      const loc = win.location;
      const storage = tabStorage(win);
      const o = a.options();
      // a checked option, else the current page (null when its path could read as another host)
      const returnTo = safeReturnPath(o.returnTo ?? loc.pathname + loc.search + loc.hash, loc.origin);
      if (!writeRecord(storage, REDIRECT_KEY, { id: a.id, returnTo, starter: starterOf(o) }))
        warn('redirect_storage');
      a.emit({ type: 'opened', mode: 'redirect' });
      // Back from the hosted page may bring this very page back from the back-forward cache, its
      // state frozen at `open`: the person left Link, so the attempt ends as a cancellation and its
      // record goes
      a.listen('pageshow', (e: PageTransitionEvent) => {
        if (!e.persisted) return;
        storage?.removeItem(REDIRECT_KEY);
        a.end({ status: 'cancelled', reason: 'closed' });
      });
      loc.assign(session.url);
    },
    requestExit: () => false,
    hasUi: () => false,
    close: () => undefined,
  };
}
