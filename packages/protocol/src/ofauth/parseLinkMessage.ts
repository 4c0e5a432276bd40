import { ERROR_CODE } from './callback';
import { isConnectionId } from './ids';
import {
  EXIT_STEPS,
  LINK_MESSAGE_TYPE,
  type LinkExit,
  type LinkMessage,
  type SandboxInfo,
  type SandboxScenario,
} from './linkMessages';
import { parseUser } from './user';
import { isAbsoluteUrl, obj, printable, str } from './values';

// Bounds on what a page may make the parent hold: a sandbox list is a handful of entries.
const MAX_SCENARIOS = 20;
const MAX_WORD = 64;
const MAX_SENTENCE = 300;

function scenario(value: unknown): SandboxScenario | undefined {
  const s = obj(value);
  const id = printable(s?.id, MAX_WORD);
  const password = printable(s?.password, MAX_WORD);
  if (!s || id === undefined || password === undefined) return undefined;
  const out: SandboxScenario = {
    id,
    accountType: printable(s.accountType, MAX_WORD) ?? 'creator',
    loginType: printable(s.loginType, MAX_WORD) ?? 'password',
    password,
  };
  const otp = printable(s.otpCode, MAX_WORD);
  if (otp !== undefined) out.otpCode = otp;
  return out;
}

function sandboxInfo(meta: Record<string, unknown>): SandboxInfo {
  const list = Array.isArray(meta.scenarios) ? meta.scenarios.slice(0, MAX_SCENARIOS) : [];
  const info: SandboxInfo = { scenarios: list.map(scenario).filter((s) => s !== undefined) };
  const active = printable(meta.activeScenarioId, MAX_WORD);
  if (active !== undefined) info.activeScenarioId = active;
  const screen = printable(meta.currentScreen, MAX_WORD);
  if (screen !== undefined) info.currentScreen = screen;
  return info;
}

function exit(meta: Record<string, unknown> | null): LinkExit {
  const out: LinkExit = {};
  if (!meta) return out;
  const type = printable(meta.type, MAX_WORD);
  if (type !== undefined) out.type = type;
  if ((EXIT_STEPS as readonly unknown[]).includes(meta.step)) out.step = meta.step as LinkExit['step'];
  const e = obj(meta.error);
  if (e) {
    const code = str(e.error_type) && ERROR_CODE.test(e.error_type) ? e.error_type : undefined;
    const message = printable(e.error_message, MAX_SENTENCE);
    out.error = {};
    if (code !== undefined) out.error.code = code;
    if (message !== undefined) out.error.message = message;
  }
  return out;
}

/** The `connection_id` query parameter of an older message's success URL, when that is all it carries. */
function idFromUrl(url: string | undefined): string | undefined {
  if (url === undefined || !isAbsoluteUrl(url)) return undefined;
  const id = new URL(url).searchParams.get('connection_id');
  return isConnectionId(id) ? id : undefined;
}

function success(src: Record<string, unknown>): LinkMessage {
  const connection = obj(src.connection);
  const successUrl = str(src.successUrl) ? src.successUrl : str(src.successURL) ? src.successURL : undefined;
  const connectionId = isConnectionId(connection?.id) ? connection.id : idFromUrl(successUrl);
  const user = parseUser(connection?.userData) ?? parseUser(src.user);
  const out: LinkMessage = { event: 'success', redirect: src.redirect === true };
  if (connectionId !== undefined) out.connectionId = connectionId;
  if (user) out.user = user;
  if (successUrl !== undefined) out.successUrl = successUrl;
  return out;
}

/**
 * Validates the payload of an `OFAUTH_LINK` message from the hosted page, in the v4 shape and every
 * older one (flat success, `successURL`, `close`). Leniently: every `exit` is an exit (an unknown
 * type is kept raw, no metadata is a plain exit); a user or a sandbox scenario that is not valid is
 * dropped, the rest of the message kept. Anything that is not an `OFAUTH_LINK` event gives null.
 * Origin and source are the caller's to check.
 *
 * @example
 * parseLinkMessage({ type: 'OFAUTH_LINK', event: 'exit' }); // { event: 'exit', exit: {} }
 */
export function parseLinkMessage(data: unknown): LinkMessage | null {
  const m = obj(data);
  if (m?.type !== LINK_MESSAGE_TYPE) return null;
  const meta = obj(m.metadata);
  switch (m.event) {
    case 'loaded':
    case 'invalid_session':
      return { event: m.event };
    case 'close':
      return { event: 'exit', exit: {} };
    case 'exit':
      return { event: 'exit', exit: exit(meta) };
    case 'success':
      return success(meta ?? m); // v4 nests under metadata, older shapes are flat
    case 'sandbox_info':
      return meta ? { event: 'sandbox_info', info: sandboxInfo(meta) } : null;
    default:
      return null;
  }
}
