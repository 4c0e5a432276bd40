import { CALLBACK_PARAMS, parseCallback, safeReturnPath } from './callback';
import { ID, str, userExit } from './outcome';
import type { LinkOutcome } from './types';

/** `type` of the relay message the callback page sends to the opener. */
export const RELAY_TYPE = 'OFLINK_RELAY';
/** sessionStorage key of the pending popup attempt (copied into the popup by Chromium). */
export const POPUP_KEY = 'oflink:popup';
/** sessionStorage key of the pending redirect attempt. */
export const REDIRECT_KEY = 'oflink:redirect';
/** localStorage key prefix of pending popup attempts (fallback when sessionStorage was not copied). */
export const ATTEMPT_PREFIX = 'oflink:attempt:';
/** Records older than this are ignored. */
export const RECORD_TTL_MS = 2 * 60 * 60_000;

/** A pending attempt as stored for the callback page. */
export interface AttemptRecord {
  /** Attempt id. */
  id: string;
  /** Per-attempt secret the relay must echo. */
  nonce?: string;
  /** Same-origin path to return to (redirect mode). */
  returnTo?: string | null;
  /** Creation time (ms). */
  at: number;
}

/** The message relayed from the callback page to the opener. */
export interface RelayMessage {
  /** Always {@link RELAY_TYPE}. */
  type: typeof RELAY_TYPE;
  /** Attempt id. */
  id: string;
  /** Attempt nonce. */
  nonce: string;
  /** The parsed callback outcome. */
  outcome: LinkOutcome;
}

/**
 * BroadcastChannel name for an app origin.
 *
 * @example
 * channelName('https://app.example'); // 'oflink:https://app.example'
 */
export const channelName = (origin: string): string => `oflink:${origin}`;

/**
 * Reads a JSON attempt record; null when missing, malformed, or older than {@link RECORD_TTL_MS}.
 *
 * @example
 * readRecord(sessionStorage, POPUP_KEY); // { id, nonce, at } | null
 */
export function readRecord(
  storage: Storage | null | undefined,
  key: string,
  now = Date.now(),
): AttemptRecord | null {
  try {
    const r = JSON.parse(storage?.getItem(key) ?? 'null') as AttemptRecord | null;
    return r && typeof r.id === 'string' && typeof r.at === 'number' && now - r.at < RECORD_TTL_MS ? r : null;
  } catch {
    return null;
  }
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
 * then either relays the outcome to the opener (popup flow: `postMessage` to its own origin and
 * `BroadcastChannel`, with the attempt's nonce) and closes the window, or returns the saved
 * same-origin `returnTo` (redirect flow).
 *
 * @example
 * const { outcome, returnTo } = handleCallback(window);
 */
export function handleCallback(win: Window, close = true): CallbackResult {
  const loc = win.location;
  const result: CallbackResult = { outcome: parseCallback(loc.search), returnTo: null, relayed: false };
  const url = new URL(loc.href);
  for (const p of CALLBACK_PARAMS) url.searchParams.delete(p);
  try {
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  } catch {
    // sandboxed documents may refuse
  }
  try {
    const s = win.sessionStorage;
    const l = win.localStorage;
    const opener = win.opener !== win ? (win.opener as Window | null) : null;
    const redirect = readRecord(s, REDIRECT_KEY);
    if (redirect && !opener) {
      s.removeItem(REDIRECT_KEY);
      result.returnTo = safeReturnPath(redirect.returnTo, loc.origin);
      // the page the person returns to reports it (and confirms it, if the callback page did not)
      saveReturned(s, { id: redirect.id, outcome: result.outcome });
      return result;
    }
    // the popup got a copy of the opener's sessionStorage; else the opener's own (when reachable);
    // localStorage is the last resort
    let copied = readRecord(s, POPUP_KEY);
    try {
      copied ??= opener && readRecord(opener.sessionStorage, POPUP_KEY);
    } catch {
      // opener on another origin
    }
    let attempt = copied;
    for (let i = 0; !copied && i < l.length; i++) {
      const key = l.key(i) as string;
      const r = key.startsWith(ATTEMPT_PREFIX) ? readRecord(l, key) : null;
      if (r && (!attempt || r.at > attempt.at)) attempt = r;
    }
    if (attempt?.nonce) {
      const message: RelayMessage = {
        type: RELAY_TYPE,
        id: attempt.id,
        nonce: attempt.nonce,
        outcome: result.outcome,
      };
      const bc = new BroadcastChannel(channelName(loc.origin));
      bc.postMessage(message);
      bc.close();
      opener?.postMessage(message, loc.origin);
      s.removeItem(POPUP_KEY);
      result.relayed = true;
      if (close) win.setTimeout(() => win.close(), 50);
    }
  } catch {
    // storage or BroadcastChannel unavailable: nothing to relay
  }
  return result;
}

/**
 * Validates a relay message for a given attempt: exact type, id and nonce, and a well-formed outcome.
 *
 * @example
 * parseRelay(event.data, attempt.id, attempt.nonce); // LinkOutcome | null
 */
export function parseRelay(data: unknown, id: string, nonce: string): LinkOutcome | null {
  if (data === null || typeof data !== 'object') return null;
  const m = data as Partial<RelayMessage>;
  if (m.type !== RELAY_TYPE || m.id !== id || !str(m.nonce) || m.nonce !== nonce) return null;
  return parseOutcome(m.outcome, false);
}

/**
 * A well-formed {@link LinkOutcome} rebuilt from `value` (only known members), or null. A success
 * keeps `confirmed: true` only when `trustConfirmed` (a record this tab wrote itself).
 */
function parseOutcome(value: unknown, trustConfirmed: boolean): LinkOutcome | null {
  const o = value as Partial<LinkOutcome> | undefined;
  if (!o || typeof o !== 'object') return null;
  if (o.status === 'success' && str(o.connectionId) && ID.test(o.connectionId)) {
    const out: LinkOutcome = {
      status: 'success',
      connectionId: o.connectionId,
      confirmed: trustConfirmed && o.confirmed === true,
    };
    if (str(o.clientReferenceId) && ID.test(o.clientReferenceId)) out.clientReferenceId = o.clientReferenceId;
    return out;
  }
  if (o.status === 'cancelled') return userExit(o.step);
  if (o.status === 'error' && str(o.code) && str(o.message)) {
    return { status: 'error', code: o.code, message: o.message };
  }
  return null;
}

/** sessionStorage key of a redirect attempt's outcome, for the page the person returns to. */
export const RETURNED_KEY = 'oflink:returned';
/** A returned outcome older than this (or dated in the future) is ignored. */
const RETURNED_TTL_MS = 10 * 60_000;

/** The outcome of a redirect attempt, saved by the callback page for the page it returns to. */
export interface ReturnedRecord {
  /** The redirect attempt's id. */
  id: string;
  /** Its outcome (a success is `confirmed: true` only when the callback page confirmed it). */
  outcome: LinkOutcome;
}

/**
 * Saves a redirect attempt's outcome for the page the person returns to (same tab).
 *
 * @example
 * saveReturned(sessionStorage, { id: record.id, outcome });
 */
export function saveReturned(storage: Storage, record: ReturnedRecord): void {
  storage.setItem(RETURNED_KEY, JSON.stringify({ ...record, at: Date.now() }));
}

/**
 * The saved outcome of a redirect attempt of this tab, or null (missing, malformed, or older than
 * ten minutes in either direction).
 *
 * @example
 * readReturned(sessionStorage); // { id, outcome } | null
 */
export function readReturned(storage: Storage | null | undefined, now = Date.now()): ReturnedRecord | null {
  try {
    const r = JSON.parse(storage?.getItem(RETURNED_KEY) ?? 'null') as
      | (ReturnedRecord & { at?: unknown })
      | null;
    if (!r || !str(r.id) || typeof r.at !== 'number' || Math.abs(now - r.at) > RETURNED_TTL_MS) return null;
    const outcome = parseOutcome(r.outcome, true);
    return outcome && { id: r.id, outcome };
  } catch {
    return null;
  }
}

/**
 * Removes the saved outcome of attempt `id`; true when it was still there (so exactly one reader
 * reports it, however many controllers a page mounts).
 *
 * @example
 * if (takeReturned(sessionStorage, record.id)) report(record.outcome);
 */
export function takeReturned(storage: Storage, id: string): boolean {
  if (readReturned(storage)?.id !== id) return false;
  storage.removeItem(RETURNED_KEY);
  return true;
}
