// The embed view, the opt-in modal: the hosted page in an iframe dialog of this page. It talks with
// the frame through OFAuth's link messages (`loaded`, `success`, `exit`, `invalid_session` for a
// renewal, sandbox info) and sends `exit_requested` when the person presses Escape or the app closes
// the attempt. Only `@oflink/core/embed` imports it: apps that never show the modal ship none of it.
import { type ExitRequest, LINK_MESSAGE_TYPE, type LinkMessage, parseLinkMessage } from '@oflink/protocol';
import { warn } from './dev';
import { exitOutcome, successOutcome } from './outcome';
import type { Attempt, LinkSession, LinkTheme, LinkView } from './types';

/** How long an Escape waits for the page's own `exit` before the modal closes anyway. */
const EXIT_ANSWER_MS = 2000;

/** The modal and what the attempt knows about the page in it. */
interface Frame {
  embed: Embed | null;
  session: LinkSession | null;
  /** The page said `loaded` (it can be asked to exit only then). */
  loaded: boolean;
  /** `loaded` was reported for this attempt (once, also across a renewal). */
  loadedReported: boolean;
  /** The session was renewed once already. */
  renewed: boolean;
}

/** Asks the page in the frame to end itself (it answers with `exit`); false when it cannot be asked. */
function requestExit(frame: Frame, force: boolean): boolean {
  const target = frame.embed?.frame.contentWindow;
  if (!frame.loaded || !target || !frame.session) return false;
  target.postMessage(
    { type: LINK_MESSAGE_TYPE, event: 'exit_requested', force } satisfies ExitRequest,
    new URL(frame.session.url).origin,
  );
  return true;
}

/** `invalid_session`: one new session in the same frame; a second expiry ends the attempt. */
function renew(a: Attempt, frame: Frame): void {
  if (frame.renewed) {
    a.end({
      status: 'error',
      code: 'invalid_session',
      message: 'The Link session expired twice. Try again.',
    });
    return;
  }
  frame.renewed = true;
  frame.loaded = false;
  a.renew().then((s) => {
    if (!a.current() || !frame.embed) return;
    frame.session = s;
    a.set({ session: s });
    frame.embed.load(embedUrl(s.url, window.location.origin, a.options().theme));
    a.emit({ type: 'session_renewed', expiresAt: s.expiresAt });
  }, a.fail);
}

/**
 * An embedded success with `redirect: true` names where to go next. The frame is not the app: it
 * may send the person only to a page of the app's own origin (its callback URL), never elsewhere.
 */
function followSuccessUrl(target: string): void {
  let url: URL | null = null;
  try {
    url = new URL(target);
  } catch {
    url = null;
  }
  if (url && url.origin === window.location.origin) window.location.assign(url.href);
  else warn('success_url');
}

function handleMessage(a: Attempt, frame: Frame, m: LinkMessage): void {
  switch (m.event) {
    case 'loaded':
      frame.loaded = true;
      // once per attempt, as OFAuth's library reports it, however often the page (or a renewed session) says so
      if (!frame.loadedReported) a.emit({ type: 'loaded' });
      frame.loadedReported = true;
      return;
    case 'sandbox_info':
      a.set({ sandbox: m.info });
      a.emit({ type: 'sandbox_info', info: m.info });
      return;
    case 'success': {
      const next = m.redirect ? m.successUrl : undefined;
      a.end(successOutcome(m), undefined, next ? () => followSuccessUrl(next) : undefined);
      return;
    }
    case 'exit':
      a.end(exitOutcome(m.exit));
      return;
    case 'invalid_session':
      renew(a, frame);
  }
}

/** Accepts link messages from exactly the frame's window and the session's origin. */
function listenFrame(a: Attempt, frame: Frame): void {
  a.listen('message', (e: MessageEvent) => {
    const { session } = frame;
    if ((e.data as { type?: unknown } | null)?.type !== LINK_MESSAGE_TYPE || !session) return;
    const source = frame.embed?.frame.contentWindow;
    // exactly the session's origin and the frame's window (acceptLinkMessage, without its reasons)
    const m =
      source && e.source === source && e.origin === new URL(session.url).origin
        ? parseLinkMessage(e.data)
        : null;
    if (m) handleMessage(a, frame, m);
    else warn('frame_message', e, session.url, source);
  });
}

/** The embed view: the modal mounts in `show`; Escape asks the page to exit first. */
export function embedView(a: Attempt): LinkView {
  const frame: Frame = { embed: null, session: null, loaded: false, loadedReported: false, renewed: false };
  const leave = () => a.end({ status: 'cancelled', reason: 'user' });
  const onEscape = () => {
    if (!requestExit(frame, false)) return leave();
    // the page answers with an `exit` message; if it does not, close anyway
    a.after(EXIT_ANSWER_MS, leave);
  };
  return {
    prepare: () => true,
    navigate: () => undefined,
    show(session) {
      frame.session = session;
      listenFrame(a, frame);
      const o = a.options();
      const url = embedUrl(session.url, window.location.origin, o.theme);
      const options: Parameters<typeof mountEmbed>[2] = { returnFocus: a.trigger, onEscape };
      if (o.zIndex !== undefined) options.zIndex = o.zIndex;
      frame.embed = mountEmbed(document, url, options);
      a.emit({ type: 'opened', mode: 'embed' });
    },
    requestExit: (force) => requestExit(frame, force),
    hasUi: () => frame.embed !== null,
    close() {
      const { embed } = frame;
      frame.embed = null;
      // the modal gives focus back in a microtask queued by destroy(); the flag clears after it
      if (embed) a.refocus(() => embed.destroy());
    },
  };
}

// ------------------------------------------------------------------ the modal

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
