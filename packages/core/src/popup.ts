/** Size of the popup window. */
export const POPUP_SIZE = { width: 500, height: 720 } as const;

/**
 * Opens a centred popup synchronously (call it inside the click handler, before any await): at
 * `url` when it is already known, else on a tiny loading document to navigate later with
 * `popup.location.replace(url)`. Returns null when the browser blocked it.
 *
 * @example
 * const popup = openPopup(window); if (!popup) showBlockedHint();
 * const direct = openPopup(window, 'oflink', session.url); // one navigation, no loading document
 */
export function openPopup(win: Window, name = 'oflink', url?: string): Window | null {
  const { width, height } = POPUP_SIZE;
  const left = Math.max(0, Math.round(win.screenX + (win.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(win.screenY + (win.outerHeight - height) / 2));
  let popup: Window | null = null;
  try {
    popup = win.open(
      url ?? 'about:blank',
      name,
      `popup=yes,width=${width},height=${height},left=${left},top=${top}`,
    );
  } catch {
    return null;
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
