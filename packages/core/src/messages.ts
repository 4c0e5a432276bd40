import { ID, obj, str, userExit } from './outcome';
import type { LinkOutcome, LinkUser, SandboxInfo, SandboxScenario } from './types';

/** A validated message from the hosted page (PROTOCOL.md §3; v4 and the pre-v4 shapes). */
export type LinkMessage =
  | { event: 'loaded' }
  | { event: 'success'; connectionId: string; user?: LinkUser; successUrl?: string; redirect: boolean }
  | { event: 'exit'; outcome: LinkOutcome }
  | { event: 'invalid_session' }
  | { event: 'sandbox_info'; info: SandboxInfo };

function user(v: unknown): LinkUser | undefined {
  const u = obj(v);
  if (!u || !str(u.id) || !str(u.name) || !str(u.username)) return undefined;
  return { id: u.id, name: u.name, username: u.username, avatar: str(u.avatar) ? u.avatar : null };
}

function scenarios(v: unknown): SandboxScenario[] | null {
  if (!Array.isArray(v)) return null;
  const out: SandboxScenario[] = [];
  for (const item of v) {
    const s = obj(item);
    if (!s || !str(s.id) || !str(s.password)) return null;
    const entry: SandboxScenario = {
      id: s.id,
      accountType: str(s.accountType) ? s.accountType : 'creator',
      loginType: str(s.loginType) ? s.loginType : 'password',
      password: s.password,
    };
    if (str(s.otpCode)) entry.otpCode = s.otpCode;
    out.push(entry);
  }
  return out;
}

/**
 * Validates the payload of an `OFAUTH_LINK` message; anything else gives null (never throws).
 * Origin and source are checked by {@link acceptLinkMessage}, not here.
 *
 * @example
 * parseLinkMessage({ type: 'OFAUTH_LINK', event: 'loaded' }); // { event: 'loaded' }
 */
export function parseLinkMessage(data: unknown): LinkMessage | null {
  const m = obj(data);
  if (m?.type !== 'OFAUTH_LINK') return null;
  const meta = obj(m.metadata);
  switch (m.event) {
    case 'loaded':
    case 'invalid_session':
      return { event: m.event };
    case 'close':
      return { event: 'exit', outcome: userExit(null) };
    case 'success': {
      const src = meta ?? m; // v4 nests under metadata, pre-v4 is flat
      const connection = obj(src.connection);
      if (!connection || !str(connection.id) || !ID.test(connection.id)) return null;
      const u = user(connection.userData) ?? user(src.user);
      const out: LinkMessage = {
        event: 'success',
        connectionId: connection.id,
        redirect: src.redirect === true,
      };
      if (u) out.user = u;
      if (str(src.successUrl)) out.successUrl = src.successUrl;
      return out;
    }
    case 'exit': {
      if (!meta) return null;
      if (meta.type === 'error') {
        const e = obj(meta.error);
        return {
          event: 'exit',
          outcome: {
            status: 'error',
            code: e && str(e.error_type) && e.error_type ? e.error_type : 'link_error',
            message: e && str(e.error_message) && e.error_message ? e.error_message : 'The Link flow failed.',
          },
        };
      }
      if (meta.type !== 'user_exit' && meta.type !== 'forced_exit') return null;
      return { event: 'exit', outcome: userExit(meta.step) };
    }
    case 'sandbox_info': {
      const list = scenarios(meta?.scenarios);
      if (!meta || !list) return null;
      const info: SandboxInfo = { scenarios: list };
      if (str(meta.activeScenarioId)) info.activeScenarioId = meta.activeScenarioId;
      if (str(meta.currentScreen)) info.currentScreen = meta.currentScreen;
      return { event: 'sandbox_info', info };
    }
    default:
      return null;
  }
}

/** The parts of a `MessageEvent` that decide whether it is trusted. */
export interface IncomingMessage {
  /** `event.origin`. */
  origin: string;
  /** `event.source`. */
  source: unknown;
  /** `event.data`. */
  data: unknown;
}

/**
 * Accepts a message only when its origin is exactly the session URL's origin, its source is
 * the opened frame's window, and its payload is valid. Otherwise returns the reason it was ignored.
 *
 * @example
 * const r = acceptLinkMessage(event, session.url, iframe.contentWindow);
 * if ('message' in r) handle(r.message); else console.warn(r.ignored);
 */
export function acceptLinkMessage(
  event: IncomingMessage,
  sessionUrl: string,
  expectedSource: unknown,
): { message: LinkMessage } | { ignored: string } {
  let origin: string;
  try {
    origin = new URL(sessionUrl).origin;
  } catch {
    return { ignored: 'the session URL is not a URL' };
  }
  if (event.origin !== origin)
    return { ignored: `origin ${event.origin} is not the session origin ${origin}` };
  if (expectedSource == null || event.source !== expectedSource)
    return { ignored: 'it did not come from the Link frame' };
  const message = parseLinkMessage(event.data);
  return message ? { message } : { ignored: 'its payload is not a valid OFAUTH_LINK message' };
}
