import { isClientReferenceId, isConnectionId, str } from '@oflink/protocol';
import { CALLBACK_PARAMS, parseCallback, safeReturnPath } from './callback';
import { userExit } from './outcome';
import { DEFAULT_ENDPOINT } from './session';
import type { LinkOutcome } from './types';

/** `type` of the relay message the callback page sends to the opener. */
export const RELAY_TYPE = 'OFLINK_RELAY';
/** sessionStorage key of the pending popup attempt (the browser copies it into the popup it opens). */
export const POPUP_KEY = 'oflink:popup';
/** sessionStorage key of the pending redirect attempt. */
export const REDIRECT_KEY = 'oflink:redirect';
/** Records older than this are ignored. */
export const RECORD_TTL_MS = 2 * 60 * 60_000;
/** A record dated further ahead than this is ignored (it was not written by this browser's clock). */
const CLOCK_SLACK_MS = 60_000;

/** A pending attempt as stored for the callback page. */
export interface AttemptRecord {
  /** Attempt id. */
  id: string;
  /** Per-attempt secret the relay must echo. */
  nonce?: string;
  /** Same-origin path to return to (redirect mode). */
  returnTo?: string | null;
  /** Redirect mode: which button or hook started it ({@link starterOf}). */
  starter?: string;
  /** Creation time (ms). */
  at: number;
}

/**
 * What tells the button (or hook) that started a redirect attempt from the others of a page, across
 * the page loads a redirect is made of: its endpoint, its connection and its mode.
 *
 * @example
 * starterOf({ mode: 'redirect' }); // '["/api/oflink/session",null,"redirect"]'
 */
export const starterOf = (o: {
  endpoint?: string | undefined;
  connectionId?: string | undefined;
  mode?: string | undefined;
}): string => JSON.stringify([o.endpoint ?? DEFAULT_ENDPOINT, o.connectionId ?? null, o.mode ?? 'auto']);

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
 * Reads a JSON attempt record; null when missing, malformed, older than {@link RECORD_TTL_MS}, or
 * dated in the future.
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
    const fresh = r && typeof r.at === 'number' && now - r.at < RECORD_TTL_MS && r.at - now < CLOCK_SLACK_MS;
    return fresh && typeof r.id === 'string' ? r : null;
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
 * then acts only on an attempt of this very window. A popup the app opened holds the attempt in its
 * copy of the app tab's sessionStorage (the tab itself keeps none after `window.open`): the outcome
 * is relayed to that attempt (`postMessage` to the opener and `BroadcastChannel`, with its id and
 * nonce) and the window closes. A tab that started a redirect holds a redirect record: the outcome is kept for the
 * page at the saved same-origin `returnTo`. A callback reached any other way (typed, or opened by
 * another site, with or without `window.opener`) relays and saves nothing: it can neither end nor
 * close another tab's attempt.
 *
 * @example
 * const { outcome, returnTo } = handleCallback(window);
 */
export function handleCallback(win: Window, close = true): CallbackResult {
  return runCallbackPage(win, close).result;
}

/**
 * {@link handleCallback}, plus the id of the redirect attempt whose outcome it saved (null when it
 * saved none), for a binding that confirms the outcome before the page it returns to reads it.
 *
 * @example
 * const { result, redirectId } = runCallbackPage(window);
 */
export function runCallbackPage(
  win: Window,
  close = true,
): { result: CallbackResult; redirectId: string | null } {
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
    // only the popup an attempt opened holds this record: its copy of the opener tab's storage
    const popup = readRecord(s, POPUP_KEY);
    if (popup?.nonce) {
      relay(win, { type: RELAY_TYPE, id: popup.id, nonce: popup.nonce, outcome: result.outcome });
      s.removeItem(POPUP_KEY);
      result.relayed = true;
      if (close) win.setTimeout(() => win.close(), 50);
      return { result, redirectId: null };
    }
    const redirect = readRecord(s, REDIRECT_KEY);
    if (redirect) {
      s.removeItem(REDIRECT_KEY);
      result.returnTo = safeReturnPath(redirect.returnTo, loc.origin);
      // the page the person returns to reports it (and confirms it, if the callback page did not)
      const returned: ReturnedRecord = {
        id: redirect.id,
        outcome: result.outcome,
        returnTo: result.returnTo,
      };
      if (typeof redirect.starter === 'string') returned.starter = redirect.starter;
      saveReturned(s, returned);
      return { result, redirectId: redirect.id };
    }
  } catch {
    // storage or BroadcastChannel unavailable: nothing to relay
  }
  return { result, redirectId: null };
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
  if (typeof BroadcastChannel !== 'function') return;
  const bc = new BroadcastChannel(channelName(win.location.origin));
  bc.postMessage(message);
  bc.close();
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
  if (o.status === 'success' && isConnectionId(o.connectionId)) {
    const out: LinkOutcome = {
      status: 'success',
      connectionId: o.connectionId,
      confirmed: trustConfirmed && o.confirmed === true,
    };
    if (isClientReferenceId(o.clientReferenceId)) out.clientReferenceId = o.clientReferenceId;
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
  /** The same-origin path the person returns to: only that page reports it. */
  returnTo?: string | null;
  /** Which button or hook started it ({@link starterOf}): only that one reports it. */
  starter?: string;
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
    if (!outcome) return null;
    const out: ReturnedRecord = { id: r.id, outcome };
    if (str(r.returnTo)) out.returnTo = r.returnTo;
    if (str(r.starter)) out.starter = r.starter;
    return out;
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
