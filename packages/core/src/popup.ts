// The popup view: a window opened in the click, navigated to the session, watched until the
// callback page relays the outcome or the person closes it (Cross-Origin-Opener-Policy aware).
import { warn } from './dev';
import { channelName, POPUP_KEY, parseRelay, RELAY_TYPE, tabStorage, writeRecord } from './records';
import type { Attempt, LinkView } from './types';

/** After `popup.closed` reads true, wait this long for a relay before reporting `closed` (COOP can fake `closed`). */
export const POPUP_CLOSE_GRACE_MS = 3000;
/** Size of the popup window. */
export const POPUP_SIZE = { width: 500, height: 720 } as const;

/**
 * Opens the centred popup in the click, with this attempt's record in its sessionStorage and in no
 * other window's: at the session URL when it is known, else on a loading document `navigate` sends
 * on. The browser copies this tab's sessionStorage into a window when it creates it, so the record
 * is written just before `window.open` and removed from this tab just after: the popup keeps the only
 * copy (what lets its callback page relay), and this tab keeps none that would outlive the page (a
 * reload, then a redirect through the callback page) or that a window opened later by another site's
 * frame would be given. Null when the browser blocked it.
 */
function openPopup(a: Attempt, url: string | undefined): Window | null {
  const win = window;
  const storage = tabStorage(win);
  if (!writeRecord(storage, POPUP_KEY, { id: a.id, nonce: a.nonce })) warn('popup_storage');
  const { width, height } = POPUP_SIZE;
  const left = Math.max(0, Math.round(win.screenX + (win.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(win.screenY + (win.outerHeight - height) / 2));
  let popup: Window | null = null;
  try {
    popup = win.open(
      url ?? 'about:blank',
      `oflink_${a.id.slice(0, 8)}`,
      `popup=yes,width=${width},height=${height},left=${left},top=${top}`,
    );
  } catch {
    // refused: blocked
  }
  try {
    storage?.removeItem(POPUP_KEY);
  } catch {
    // storage unavailable
  }
  if (!popup || popup.closed) return null;
  if (!url) {
    try {
      popup.document.title = 'Connecting…';
      popup.document.body.textContent = 'Loading…';
    } catch {
      // not scriptable: fine, it will be navigated
    }
  }
  return popup;
}

/** Listens for the callback page's relay: a same-origin postMessage, or the BroadcastChannel. */
function listenRelay(a: Attempt): void {
  const origin = window.location.origin;
  const onRelay = (data: unknown) => {
    const outcome = parseRelay(data, a.id, a.nonce);
    if (outcome) a.end(outcome);
    else warn('relay');
  };
  a.listen('message', (e: MessageEvent) => {
    if (e.origin === origin && (e.data as { type?: unknown } | null)?.type === RELAY_TYPE) onRelay(e.data);
  });
  // engines without BroadcastChannel still get the opener's postMessage (not under COOP)
  if (typeof BroadcastChannel !== 'function') return;
  const bc = new BroadcastChannel(channelName(origin));
  bc.onmessage = (e) => {
    if ((e.data as { id?: unknown } | null)?.id === a.id) onRelay(e.data);
  };
  a.cleanup(() => bc.close());
}

/**
 * Reports `closed` once the popup is gone. While it still shows this app's own loading page (the
 * session not yet there), `closed` is certain: the attempt ends at once. Once it went to the hosted
 * page, `closed` reads true both when the person closed the popup and when
 * Cross-Origin-Opener-Policy on a hosted page (at any step) severed the handle while they work on in
 * the popup. Believe it once they are back here (a real close hands focus back to this window, often
 * before the poll sees it), then give the relay the grace period to arrive: it usually comes first.
 */
function watchClose(a: Attempt, popup: Window, hosted: () => boolean): void {
  const grace = a.options().popupCloseGraceMs ?? POPUP_CLOSE_GRACE_MS;
  const gone = () => a.end({ status: 'cancelled', reason: 'closed' });
  let closed = false;
  let backSinceLastSeenOpen = false;
  let graceStarted = false;
  const startGrace = () => {
    if (graceStarted) return;
    graceStarted = true;
    a.after(grace, gone);
  };
  const back = () => {
    backSinceLastSeenOpen = true;
    if (closed) startGrace();
  };
  for (const t of ['focus', 'pointerdown', 'keydown']) a.listen(t, back, true);
  const poll = window.setInterval(() => {
    if (!popup.closed) {
      backSinceLastSeenOpen = false;
      return;
    }
    window.clearInterval(poll);
    closed = true;
    if (!hosted()) gone();
    else if (backSinceLastSeenOpen) startGrace();
  }, 300);
  a.cleanup(() => window.clearInterval(poll));
}

/**
 * The popup view. Its window opens in `prepare`, inside the click: at the session URL when a
 * session is at hand (one navigation), else on a loading document that `navigate` sends on. It is
 * watched from then on, so closing the loading window ends an attempt whose session never came.
 */
export function popupView(a: Attempt): LinkView {
  let popup: Window | null = null;
  // sent to the hosted page: from then on, `closed` may be COOP's doing
  let hosted = false;
  const isOpen = (): boolean => popup !== null && !popup.closed;
  return {
    prepare(cachedUrl) {
      popup = openPopup(a, cachedUrl);
      if (!popup) return false;
      hosted = cachedUrl !== undefined;
      listenRelay(a);
      watchClose(a, popup, () => hosted);
      return true;
    },
    navigate(session) {
      if (!isOpen()) return;
      hosted = true;
      popup?.location.replace(session.url);
    },
    show() {
      if (!isOpen()) return a.end({ status: 'cancelled', reason: 'closed' });
      a.emit({ type: 'opened', mode: 'popup' });
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
