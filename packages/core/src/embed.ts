import type { LinkTheme } from './types';

/** What the iframe gets in `allow` (PROTOCOL.md §3). */
export const EMBED_ALLOW = 'camera; microphone; clipboard-read; clipboard-write';

/**
 * Adds the embed parameters of PROTOCOL.md §3 to a session URL.
 *
 * @example
 * embedUrl('https://link.ofauth.com/cs_1', 'https://app.example', 'dark');
 * // 'https://link.ofauth.com/cs_1?embed=true&embed_origin=https%3A%2F%2Fapp.example&theme=dark'
 */
export function embedUrl(sessionUrl: string, origin: string, theme: LinkTheme = 'auto'): string {
  const u = new URL(sessionUrl);
  u.searchParams.set('embed', 'true');
  u.searchParams.set('embed_origin', origin);
  u.searchParams.set('theme', theme);
  return u.toString();
}

/** A mounted iframe modal. */
export interface Embed {
  /** The iframe; its `contentWindow` is the only accepted message source. */
  frame: HTMLIFrameElement;
  /** Loads another session URL in the same frame. */
  load(url: string): void;
  /** Removes the modal, unlocks scrolling and returns focus to the trigger. */
  destroy(): void;
}

/**
 * Mounts the hosted page in a modal: overlay, `role="dialog"` + `aria-modal` + accessible title,
 * focus moved in (and back to `returnFocus`, by default the element focused at mount, on destroy), body scroll locked,
 * Escape reported through `onEscape`.
 *
 * @example
 * const embed = mountEmbed(document, url, { zIndex: 1000, onEscape: () => requestExit() });
 */
export function mountEmbed(
  doc: Document,
  url: string,
  options: { zIndex?: number; title?: string; returnFocus?: Element | null; onEscape: () => void },
): Embed {
  const trigger = (options.returnFocus ?? doc.activeElement) as HTMLElement | null;
  const { overlay, dialog, frame } = buildModal(
    doc,
    url,
    options.title ?? 'Connect your OnlyFans account',
    options.zIndex,
  );
  const body = doc.body;
  const overflow = body.style.overflow;
  body.style.overflow = 'hidden';
  body.appendChild(overlay);
  const release = holdFocus(doc, overlay, dialog, options.onEscape);
  return {
    frame,
    load(next) {
      frame.src = next;
    },
    destroy() {
      release();
      overlay.remove();
      body.style.overflow = overflow;
      // after the binding re-rendered: the trigger may still be disabled at this point
      queueMicrotask(() => {
        if (trigger?.isConnected) trigger.focus();
      });
    },
  };
}

/**
 * Keeps focus inside the dialog (anything focused outside is brought back to it) and calls
 * `onEscape` for the Escape key; returns what undoes both.
 */
function holdFocus(
  doc: Document,
  overlay: HTMLElement,
  dialog: HTMLElement,
  onEscape: () => void,
): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onEscape();
    }
  };
  const onFocus = (e: FocusEvent) => {
    if (!overlay.contains(e.target as Node)) dialog.focus();
  };
  doc.addEventListener('keydown', onKey, true);
  doc.addEventListener('focusin', onFocus, true);
  // the dialog itself, not the frame: keys pressed inside the cross-origin frame never reach this
  // document, so Escape works until the person moves into the page (Tab goes to the frame next)
  dialog.focus();
  return () => {
    doc.removeEventListener('keydown', onKey, true);
    doc.removeEventListener('focusin', onFocus, true);
  };
}

/** The overlay, the labelled modal dialog in it, and the frame of the hosted page, not yet attached. */
function buildModal(doc: Document, url: string, title: string, zIndex = 2147483000) {
  const overlay = doc.createElement('div');
  overlay.setAttribute('data-oflink-overlay', '');
  overlay.style.cssText = `position:fixed;inset:0;z-index:${zIndex};display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.5)`;
  const dialog = doc.createElement('div');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-label', title);
  dialog.tabIndex = -1;
  dialog.style.cssText = 'width:400px;height:600px;max-width:100vw;max-height:100vh;outline:none';
  const frame = doc.createElement('iframe');
  frame.title = title;
  frame.setAttribute('allow', EMBED_ALLOW);
  frame.style.cssText = 'width:100%;height:100%;border:0;border-radius:12px;background:#fff';
  frame.src = url;
  dialog.appendChild(frame);
  overlay.appendChild(dialog);
  return { overlay, dialog, frame };
}
