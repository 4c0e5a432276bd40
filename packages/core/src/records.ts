// What an attempt keeps in sessionStorage across windows and page loads, and how it is read back:
// the popup's record (the browser copies it into the popup), the redirect's record (the callback
// page reads it in the same tab), and the outcome the callback page keeps for the page the person
// returns to. One reader checks them all (shape, age, never dated ahead); the relay message the
// callback page sends an opener is read here too, with the same outcome check.
import { isClientReferenceId, isConnectionId, str } from '@oflink/protocol';
import { userExit } from './outcome';
import { DEFAULT_ENDPOINT } from './session';
import type { LinkOutcome } from './types';

/** `type` of the relay message the callback page sends to the opener. */
export const RELAY_TYPE = 'OFLINK_RELAY';
/** sessionStorage key of the pending popup attempt (the browser copies it into the popup it opens). */
export const POPUP_KEY = 'oflink:popup';
/** sessionStorage key of the pending redirect attempt. */
export const REDIRECT_KEY = 'oflink:redirect';
/** sessionStorage key of a redirect attempt's outcome, for the page the person returns to. */
export const RETURNED_KEY = 'oflink:returned';
/** Attempt records older than this are ignored. */
export const RECORD_TTL_MS = 2 * 60 * 60_000;
/** A returned outcome older than this is ignored. */
const RETURNED_TTL_MS = 10 * 60_000;

/** A pending attempt as stored for the callback page. */
export interface AttemptRecord {
  /** Attempt id. */
  id: string;
  /** Per-attempt secret the relay must echo (popup). */
  nonce?: string;
  /** Same-origin path to return to (redirect). */
  returnTo?: string | null;
  /** Which button or hook started it ({@link starterOf}) (redirect). */
  starter?: string;
}

/** The outcome of a redirect attempt, saved by the callback page for the page it returns to. */
export interface ReturnedRecord extends AttemptRecord {
  /** Its outcome (a success is `confirmed: true` only when the callback page confirmed it). */
  outcome: LinkOutcome;
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

/** This tab's sessionStorage, or null where it is refused (some sandboxed or private contexts). */
export function tabStorage(win: Window): Storage | null {
  try {
    return win.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Reads a record: null when missing, malformed, older than `ttlMs`, or dated more than a minute
 * ahead (not written by this browser's clock).
 *
 * @example
 * readRecord(sessionStorage, POPUP_KEY); // { id, nonce } | null
 */
export function readRecord(
  storage: Storage | null,
  key: string,
  ttlMs = RECORD_TTL_MS,
  now = Date.now(),
): (AttemptRecord & Record<string, unknown>) | null {
  try {
    const r = JSON.parse(storage?.getItem(key) ?? 'null') as (AttemptRecord & { at?: unknown }) | null;
    const at = r?.at;
    const fresh = r && str(r.id) && typeof at === 'number' && now - at < ttlMs && at - now < 60_000;
    return fresh ? (r as AttemptRecord & Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Writes a record, dated now; false when storage refused it. */
export function writeRecord(storage: Storage | null, key: string, record: object): boolean {
  try {
    storage?.setItem(key, JSON.stringify({ ...record, at: Date.now() }));
    return storage !== null;
  } catch {
    return false;
  }
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

/**
 * Saves a redirect attempt's outcome for the page the person returns to (same tab).
 *
 * @example
 * saveReturned(sessionStorage, { id: record.id, outcome });
 */
export function saveReturned(storage: Storage, record: ReturnedRecord): void {
  writeRecord(storage, RETURNED_KEY, record);
}

/**
 * The saved outcome of a redirect attempt of this tab, or null (missing, malformed, older than ten
 * minutes, or dated ahead).
 *
 * @example
 * readReturned(sessionStorage); // { id, outcome } | null
 */
export function readReturned(storage: Storage | null): ReturnedRecord | null {
  const r = readRecord(storage, RETURNED_KEY, RETURNED_TTL_MS);
  const outcome = r && parseOutcome(r.outcome, true);
  if (!r || !outcome) return null;
  const out: ReturnedRecord = { id: r.id, outcome };
  if (str(r.returnTo)) out.returnTo = r.returnTo;
  if (str(r.starter)) out.starter = r.starter;
  return out;
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

/**
 * BroadcastChannel name for an app origin.
 *
 * @example
 * channelName('https://app.example'); // 'oflink:https://app.example'
 */
export const channelName = (origin: string): string => `oflink:${origin}`;

/**
 * Validates a relay message for a given attempt: exact type, id and nonce, and a well-formed outcome.
 *
 * @example
 * parseRelay(event.data, attempt.id, attempt.nonce); // LinkOutcome | null
 */
export function parseRelay(data: unknown, id: string, nonce: string): LinkOutcome | null {
  const m = data as Partial<RelayMessage> | null;
  if (!m || m.type !== RELAY_TYPE || m.id !== id || !str(m.nonce) || m.nonce !== nonce) return null;
  return parseOutcome(m.outcome, false);
}

/**
 * A well-formed {@link LinkOutcome} rebuilt from `value` (only known members), or null. A success
 * keeps `confirmed: true` only when `trustConfirmed` (a record this tab wrote itself).
 */
function parseOutcome(value: unknown, trustConfirmed: boolean): LinkOutcome | null {
  const o = value as Partial<LinkOutcome> | null | undefined;
  if (o?.status === 'success' && isConnectionId(o.connectionId)) {
    const out: LinkOutcome = {
      status: 'success',
      connectionId: o.connectionId,
      confirmed: trustConfirmed && o.confirmed === true,
    };
    if (isClientReferenceId(o.clientReferenceId)) out.clientReferenceId = o.clientReferenceId;
    return out;
  }
  if (o?.status === 'cancelled') return userExit(o.step);
  if (o?.status === 'error' && str(o.code) && str(o.message))
    return { status: 'error', code: o.code, message: o.message };
  return null;
}

/**
 * Returns `target` as a same-origin path (`/…`), or null: never an open redirect.
 *
 * @example
 * safeReturnPath('/settings?tab=1', 'https://app.example'); // '/settings?tab=1'
 * safeReturnPath('//evil.example', 'https://app.example'); // null
 */
export function safeReturnPath(target: unknown, origin: string): string | null {
  if (typeof target !== 'string' || target[0] !== '/') return null;
  try {
    // "//host", "/\\host" and tab/newline tricks all resolve to another origin and are refused here
    const u = new URL(target, origin);
    const path = u.pathname + u.search + u.hash;
    // "/a/..//host" normalises to "//host", which a browser would read as another host
    return u.origin === origin && !path.startsWith('//') ? path : null;
  } catch {
    return null;
  }
}
