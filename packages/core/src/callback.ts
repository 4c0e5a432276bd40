// The callback page (the app's `redirectUrl`): its URL read into an outcome, the Link parameters
// stripped, and the outcome handed to the attempt of this very window: relayed to the popup's
// opener, or kept for the page a redirect returns to. Nothing else is done for a callback URL
// reached any other way.
import { CALLBACK_PARAMS, ERROR_CODE, isClientReferenceId, isConnectionId } from '@oflink/protocol';
import { userExit } from './outcome';
import {
  channelName,
  POPUP_KEY,
  REDIRECT_KEY,
  RELAY_TYPE,
  type RelayMessage,
  type ReturnedRecord,
  readRecord,
  safeReturnPath,
  saveReturned,
  tabStorage,
} from './records';
import type { LinkOutcome } from './types';

export { CALLBACK_PARAMS };

/**
 * Turns the callback URL's query into a {@link LinkOutcome}. Unknown or missing values give an
 * `error` with code `invalid_callback`. A success is `confirmed: false`: the parameters are
 * unsigned, so confirm `connectionId` on the server before trusting it.
 *
 * @example
 * parseCallback('?status=success&connection_id=conn_1'); // { status: 'success', connectionId: 'conn_1', confirmed: false }
 */
export function parseCallback(search: string | URLSearchParams): LinkOutcome {
  const q = typeof search === 'string' ? new URLSearchParams(search) : search;
  const [status, id, ref, step, code] = CALLBACK_PARAMS.map((p) => q.get(p));
  if (ref === null || isClientReferenceId(ref)) {
    if (status === 'success' && isConnectionId(id)) {
      const out: LinkOutcome = { status, connectionId: id, confirmed: false };
      if (ref) out.clientReferenceId = ref;
      return out;
    }
    // an unknown step is dropped, not the cancellation: the person did leave
    if (status === 'cancelled') return userExit(step);
    if (status === 'error' && code && ERROR_CODE.test(code))
      return { status, code, message: `Link failed: ${code}` };
  }
  return { status: 'error', code: 'invalid_callback', message: 'Invalid callback URL.' };
}

/** What {@link handleCallback} found. */
export interface CallbackResult {
  /** The parsed outcome (success is `confirmed: false`). */
  outcome: LinkOutcome;
  /** Same-origin path to go back to after a redirect flow, else null. */
  returnTo: string | null;
  /** True when the outcome was relayed to an opener window (a popup flow). */
  relayed: boolean;
}

/**
 * Runs the callback page: parses the URL, strips the Link parameters with `history.replaceState`,
 * then acts only on an attempt of this very window. A popup the app opened holds the attempt in its
 * copy of the app tab's sessionStorage (the tab itself keeps none after `window.open`): the outcome
 * is relayed to that attempt (`postMessage` to the opener and `BroadcastChannel`, with its id and
 * nonce) and the window closes. A tab that started a redirect holds a redirect record: the outcome
 * is kept for the page at the saved same-origin `returnTo`. A callback reached any other way (typed,
 * or opened by another site, with or without `window.opener`) relays and saves nothing: it can
 * neither end nor close another tab's attempt.
 *
 * @example
 * const { outcome, returnTo } = handleCallback(window);
 */
export function handleCallback(win: Window, close = true): CallbackResult {
  return runCallbackPage(win, close).result;
}

/**
 * {@link handleCallback}, plus the record it saved for the page the person returns to (null when it
 * saved none), for a binding that confirms the outcome before that page reads it: it saves the
 * record again with the confirmed outcome, its return path and starting button kept.
 *
 * @example
 * const { result, saved } = runCallbackPage(window);
 */
export function runCallbackPage(
  win: Window,
  close = true,
): { result: CallbackResult; saved: ReturnedRecord | null } {
  const loc = win.location;
  const outcome = parseCallback(loc.search);
  const result: CallbackResult = { outcome, returnTo: null, relayed: false };
  const url = new URL(loc.href);
  for (const p of CALLBACK_PARAMS) url.searchParams.delete(p);
  try {
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  } catch {
    // sandboxed documents may refuse
  }
  const s = tabStorage(win);
  // only the popup an attempt opened holds this record: its copy of the opener tab's storage
  const popup = readRecord(s, POPUP_KEY);
  if (s && popup?.nonce) {
    s.removeItem(POPUP_KEY);
    relay(win, { type: RELAY_TYPE, id: popup.id, nonce: popup.nonce, outcome });
    result.relayed = true;
    if (close) win.setTimeout(() => win.close(), 50);
    return { result, saved: null };
  }
  const redirect = readRecord(s, REDIRECT_KEY);
  if (!s || !redirect) return { result, saved: null };
  s.removeItem(REDIRECT_KEY);
  result.returnTo = safeReturnPath(redirect.returnTo, loc.origin);
  // the page the person returns to reports it (and confirms it, if the callback page did not)
  const { id, starter } = redirect;
  const saved: ReturnedRecord = { id, outcome, returnTo: result.returnTo };
  if (typeof starter === 'string') saved.starter = starter;
  saveReturned(s, saved);
  return { result, saved };
}

/**
 * Sends the relay to the opener (same origin only) and over the app origin's BroadcastChannel,
 * where the engine has one (the opener's message alone, before Safari 15.4).
 */
function relay(win: Window, message: RelayMessage): void {
  try {
    (win.opener as Window | null)?.postMessage(message, win.location.origin);
  } catch {
    // a severed or closed opener: the channel carries it
  }
  try {
    const bc = new BroadcastChannel(channelName(win.location.origin));
    bc.postMessage(message);
    bc.close();
  } catch {
    // no BroadcastChannel (or not for this document): the opener's message alone
  }
}
