// The embed view: the hosted page in a modal iframe of this page. It talks with the frame through
// OFAuth's link messages: `loaded`, `success`, `exit`, `invalid_session` (a renewal), sandbox info,
// and `exit_requested` from here when the person presses Escape or the app closes the attempt.
import { type ExitRequest, LINK_MESSAGE_TYPE } from '@oflink/protocol';
import { type AttemptContext, cancelled, type LinkView } from './attempt';
import { type Embed, embedUrl, mountEmbed } from './embed';
import { warn } from './env';
import { acceptLinkMessage, type LinkMessage, parseLinkMessage } from './messages';
import { exitOutcome, successOutcome } from './outcome';
import type { LinkSession } from './types';

/** How long an Escape waits for the page's own `exit` before the modal closes anyway. */
const EXIT_ANSWER_MS = 2000;

/**
 * An embedded success with `redirect: true` names where to go next. The frame is not the app: it
 * may send the person only to a page of the app's own origin (its callback URL), never elsewhere.
 */
function followSuccessUrl(win: Window, target: string): void {
  let url: URL | null = null;
  try {
    url = new URL(target);
  } catch {
    url = null;
  }
  if (url && url.origin === win.location.origin) {
    win.location.assign(url.href);
    return;
  }
  try {
    if (process.env.NODE_ENV !== 'production')
      warn('Ignored the successUrl of an embedded success: it is not on this app’s origin.');
  } catch {
    // native ES modules without a bundler: no process, no development message
  }
}

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
function renew(ctx: AttemptContext, frame: Frame): void {
  const { host } = ctx;
  if (frame.renewed) {
    ctx.end({
      status: 'error',
      code: 'invalid_session',
      message: 'The Link session expired twice. Try again.',
    });
    return;
  }
  frame.renewed = true;
  frame.loaded = false;
  host.source.discard();
  host.startSession().then((s) => {
    if (!ctx.isCurrent() || !frame.embed) return;
    host.source.discard();
    frame.session = s;
    host.patch({ session: s });
    frame.embed.load(embedUrl(s.url, ctx.win.location.origin, host.options().theme));
    host.announce(s);
    host.emit({ type: 'session_renewed', expiresAt: s.expiresAt });
  }, ctx.fail);
}

function handleMessage(ctx: AttemptContext, frame: Frame, m: LinkMessage): void {
  const { host } = ctx;
  switch (m.event) {
    case 'loaded':
      frame.loaded = true;
      // once per attempt, as OFAuth's library reports it, however often the page (or a renewed session) says so
      if (!frame.loadedReported) host.emit({ type: 'loaded' });
      frame.loadedReported = true;
      return;
    case 'sandbox_info':
      host.patch({ sandbox: m.info });
      host.emit({ type: 'sandbox_info', info: m.info });
      return;
    case 'success': {
      const next = m.redirect ? m.successUrl : undefined;
      ctx.end(successOutcome(m), undefined, next ? () => followSuccessUrl(ctx.win, next) : undefined);
      return;
    }
    case 'exit':
      ctx.end(exitOutcome(m.exit));
      return;
    case 'invalid_session':
      renew(ctx, frame);
  }
}

/** Accepts link messages from exactly the frame's window and the session's origin. */
function listenFrame(ctx: AttemptContext, frame: Frame): void {
  ctx.listen('message', (e: MessageEvent) => {
    const { session } = frame;
    if ((e.data as { type?: unknown } | null)?.type !== LINK_MESSAGE_TYPE || !session) return;
    const source = frame.embed?.frame.contentWindow;
    // exactly the session's origin and the frame's window (acceptLinkMessage, without its reasons)
    const m =
      source && e.source === source && e.origin === new URL(session.url).origin
        ? parseLinkMessage(e.data)
        : null;
    if (m) return handleMessage(ctx, frame, m);
    try {
      if (process.env.NODE_ENV !== 'production')
        warn(
          `Ignored an OFAUTH_LINK message because ${(acceptLinkMessage(e, session.url, source) as { ignored: string }).ignored}.`,
        );
    } catch {
      // native ES modules without a bundler: no process, no development message
    }
  });
}

/** The embed view: the modal mounts in `show`; Escape asks the page to exit first. */
export function embedView(ctx: AttemptContext): LinkView {
  const frame: Frame = { embed: null, session: null, loaded: false, loadedReported: false, renewed: false };
  const onEscape = () => {
    if (!requestExit(frame, false)) return ctx.end(cancelled('user'));
    // the page answers with an `exit` message; if it does not, close anyway
    ctx.after(EXIT_ANSWER_MS, () => ctx.end(cancelled('user')));
  };
  return {
    prepare: () => true,
    navigate: () => undefined,
    show(session) {
      frame.session = session;
      listenFrame(ctx, frame);
      const o = ctx.host.options();
      const url = embedUrl(session.url, ctx.win.location.origin, o.theme);
      const options: Parameters<typeof mountEmbed>[2] = { returnFocus: ctx.trigger, onEscape };
      if (o.zIndex !== undefined) options.zIndex = o.zIndex;
      frame.embed = mountEmbed(ctx.win.document, url, options);
      ctx.host.emit({ type: 'opened', mode: 'embed' });
    },
    requestExit: (force) => requestExit(frame, force),
    hasUi: () => frame.embed !== null,
    close() {
      const { embed } = frame;
      frame.embed = null;
      // the modal gives focus back in a microtask queued by destroy(); the flag clears after it
      if (embed) ctx.host.returningFocus(() => embed.destroy());
    },
  };
}
