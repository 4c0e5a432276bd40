'use client';
import { type CallbackResult, handleCallback, LinkError } from '@oflink/core';
import { useEffect, useRef, useState } from 'react';

/** Options of {@link useLinkCallback}. */
export interface UseLinkCallbackOptions {
  /** In a popup, close the window after relaying the outcome. @defaultValue true */
  closePopup?: boolean;
  /** Called once with the result (after the parameters were stripped from the address bar). */
  onResult?: (result: CallbackResult) => void;
}

/** What {@link useLinkCallback} returns; `outcome` is null until the effect ran (and during server render). */
export interface UseLinkCallbackResult {
  /** The parsed outcome; a success is `confirmed: false` until your server confirms it. */
  outcome: CallbackResult['outcome'] | null;
  /** Same-origin path to send the person back to (redirect flow), else null. Never an open redirect. */
  returnTo: string | null;
  /** True when the outcome was relayed to the opener (popup flow); the window then closes itself. */
  relayed: boolean;
}

const EMPTY: UseLinkCallbackResult = { outcome: null, returnTo: null, relayed: false };

/**
 * For the callback page (`redirectUrl`): parses `status`, `connection_id`, `client_reference_id`,
 * `step`, `error_code`; in a popup relays the outcome to the opener and closes; otherwise returns
 * `{ outcome, returnTo }`. Strips the parameters with `history.replaceState`. Runs once, also under
 * StrictMode. Throws a {@link LinkError} `invalid_options` when `closePopup` is not a boolean or
 * `onResult` not a function.
 *
 * @example
 * const { outcome, returnTo } = useLinkCallback();
 * if (outcome?.status === 'success') await confirmOnServer(outcome.connectionId);
 */
export function useLinkCallback(options: UseLinkCallbackOptions = {}): UseLinkCallbackResult {
  for (const [name, type] of [
    ['closePopup', 'boolean'],
    ['onResult', 'function'],
  ] as const) {
    if (options[name] !== undefined && typeof options[name] !== type)
      throw new LinkError('invalid_options', `Invalid oflink options: ${name} must be a ${type}.`);
  }
  const [result, setResult] = useState(EMPTY);
  const done = useRef(false);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    const r = handleCallback(window, latest.current.closePopup !== false);
    setResult(r);
    latest.current.onResult?.(r);
  }, []);
  return result;
}
