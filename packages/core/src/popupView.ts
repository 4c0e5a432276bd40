// The popup view: a window opened in the click, navigated to the session, watched until the
// callback page relays the outcome or the person closes it (Cross-Origin-Opener-Policy aware).
import { type AttemptContext, cancelled, type LinkView } from './attempt';
import { warn } from './env';
import { openPopup } from './popup';
import { channelName, POPUP_KEY, parseRelay, RELAY_TYPE } from './relay';

/** After `popup.closed` reads true, wait this long for a relay before reporting `closed` (COOP can fake `closed`). */
export const POPUP_CLOSE_GRACE_MS = 3000;

/**
 * Opens the popup with this attempt's record in its sessionStorage, and in no other window. The
 * browser copies this tab's sessionStorage into a window when it creates it: the record is written
 * just before `window.open` and removed from this tab just after, so the popup keeps its copy (the
 * only one that lets a callback page relay), while this tab keeps none that would outlive the page
 * (a reload, then a redirect through the callback page) or that a window opened later from this tab
 * by another site's frame would be given.
 */
function openWithRecord(ctx: AttemptContext, cachedUrl: string | undefined): Window | null {
  const record = JSON.stringify({ id: ctx.id, nonce: ctx.nonce, at: Date.now() });
  let storage: Storage | null = null;
  try {
    storage = ctx.win.sessionStorage;
    storage.setItem(POPUP_KEY, record);
  } catch {
    try {
      if (process.env.NODE_ENV !== 'production')
        warn('sessionStorage is unavailable: the popup callback cannot relay its result.');
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
  }
  try {
    return openPopup(ctx.win, `oflink_${ctx.id.slice(0, 8)}`, cachedUrl);
  } finally {
    try {
      if (storage?.getItem(POPUP_KEY) === record) storage.removeItem(POPUP_KEY);
    } catch {
      // storage unavailable
    }
  }
}

/** Listens for the callback page's relay: a same-origin postMessage, or the BroadcastChannel. */
function listenRelay(ctx: AttemptContext): void {
  const { win, id } = ctx;
  const onRelay = (data: unknown) => {
    const outcome = parseRelay(data, id, ctx.nonce);
    if (outcome) return ctx.end(outcome);
    try {
      if (process.env.NODE_ENV !== 'production')
        warn(
          'Ignored a callback relay that does not match this attempt (wrong id or nonce, or an ended attempt).',
        );
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
  };
  ctx.listen('message', (e: MessageEvent) => {
    if (e.origin === win.location.origin && (e.data as { type?: unknown } | null)?.type === RELAY_TYPE)
      onRelay(e.data);
  });
  // engines without BroadcastChannel still get the opener's postMessage (not under COOP)
  if (typeof BroadcastChannel !== 'function') return;
  const bc = new BroadcastChannel(channelName(win.location.origin));
  bc.onmessage = (e) => {
    if ((e.data as { id?: unknown } | null)?.id === id) onRelay(e.data);
  };
  ctx.onCleanup(() => bc.close());
}

/**
 * Reports `closed` once the popup is gone. `closed` reads true both when the person closed the
 * popup and when Cross-Origin-Opener-Policy on a hosted page (at any step) severed the handle while
 * they work on in the popup. Believe it once they are back here (a real close hands focus back to
 * this window, often before the poll sees it), then give the relay the grace period to arrive: it
 * usually comes first.
 */
function watchClose(ctx: AttemptContext, popup: Window): void {
  const grace = ctx.host.options().popupCloseGraceMs ?? POPUP_CLOSE_GRACE_MS;
  let closed = false;
  let backSinceLastSeenOpen = false;
  let graceStarted = false;
  const startGrace = () => {
    if (graceStarted) return;
    graceStarted = true;
    ctx.after(grace, () => ctx.end(cancelled('closed')));
  };
  const back = () => {
    backSinceLastSeenOpen = true;
    if (closed) startGrace();
  };
  for (const t of ['focus', 'pointerdown', 'keydown']) ctx.listen(t, back, true);
  const poll = ctx.win.setInterval(() => {
    if (!popup.closed) {
      backSinceLastSeenOpen = false;
      return;
    }
    ctx.win.clearInterval(poll);
    closed = true;
    if (backSinceLastSeenOpen) startGrace();
  }, 300);
  ctx.onCleanup(() => ctx.win.clearInterval(poll));
}

/**
 * The popup view. Its window opens in `prepare`, inside the click: at the session URL when a
 * session is at hand (one navigation), else on a loading document that `navigate` sends on.
 */
export function popupView(ctx: AttemptContext): LinkView {
  let popup: Window | null = null;
  const isOpen = (): boolean => popup !== null && !popup.closed;
  return {
    prepare(cachedUrl) {
      popup = openWithRecord(ctx, cachedUrl);
      if (popup) listenRelay(ctx);
      return popup !== null;
    },
    navigate(session) {
      if (isOpen()) popup?.location.replace(session.url);
    },
    show() {
      if (!popup || !isOpen()) return ctx.end(cancelled('closed'));
      watchClose(ctx, popup);
      ctx.host.emit({ type: 'opened', mode: 'popup' });
    },
    requestExit: () => false,
    hasUi: () => popup !== null,
    close() {
      try {
        if (popup && !popup.closed) popup.close();
      } catch {
        // severed handle
      }
    },
  };
}
