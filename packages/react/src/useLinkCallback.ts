'use client';
import { type CallbackResult, LinkError } from '@oflink/core';
import {
  type ConfirmOption,
  confirmOutcome,
  isConfirmOption,
  runCallbackPage,
  saveReturned,
} from '@oflink/core/internal';
import { useEffect, useRef, useState } from 'react';

/** Options of {@link useLinkCallback}. */
export interface UseLinkCallbackOptions {
  /** In a popup, close the window after relaying the outcome. @defaultValue true */
  closePopup?: boolean | undefined;
  /**
   * Redirect flow: confirm a success with your server here, before it is shown (`true` for the
   * one mount's `/api/oflink/confirm`, the URL of your confirm endpoint, or a function; see
   * `confirm` of `useLinkSession`). In a popup the opener
   * confirms instead. @defaultValue undefined (the page the person returns to confirms, if it can)
   */
  confirm?: ConfirmOption | undefined;
  /** Called once with the final result (after the parameters were stripped, and after confirming). */
  onResult?: ((result: CallbackResult) => void) | undefined;
}

/** What {@link useLinkCallback} returns; `outcome` is null until the effect ran (and during server render). */
export interface UseLinkCallbackResult {
  /**
   * The parsed outcome, or null while there is none yet (server render, or `confirming`). A success
   * is `confirmed: true` only when your server confirmed it.
   */
  outcome: CallbackResult['outcome'] | null;
  /** Same-origin path to send the person back to (redirect flow), else null. Never an open redirect. */
  returnTo: string | null;
  /** True when the outcome was relayed to the opener (popup flow); the window then closes itself. */
  relayed: boolean;
  /** True while the `confirm` option is asking your server. */
  confirming: boolean;
}

const EMPTY: UseLinkCallbackResult = { outcome: null, returnTo: null, relayed: false, confirming: false };

function checkOptions(options: UseLinkCallbackOptions) {
  const checks = [
    ['closePopup', (v: unknown) => typeof v === 'boolean', 'a boolean'],
    ['onResult', (v: unknown) => typeof v === 'function', 'a function'],
    ['confirm', isConfirmOption, 'true, a URL or a function'],
  ] as const;
  for (const [name, ok, what] of checks) {
    if (options[name] !== undefined && !ok(options[name]))
      throw new LinkError('invalid_options', `Invalid oflink options: ${name} must be ${what}.`);
  }
}

/**
 * For the callback page (`redirectUrl`): parses `status`, `connection_id`, `client_reference_id`,
 * `step`, `error_code`; in a popup relays the outcome to the opener and closes; otherwise returns
 * `{ outcome, returnTo }` and keeps the outcome for the page at `returnTo` (its `useLinkSession`
 * reports it). With `confirm`, a redirect success is confirmed by your server first (`confirming`
 * meanwhile). Strips the parameters with `history.replaceState`. Runs once, also under StrictMode.
 * Throws a {@link LinkError} `invalid_options` for an option outside its type.
 *
 * @example
 * const { outcome, returnTo, confirming } = useLinkCallback({ confirm: '/api/oflink/confirm' });
 * if (confirming || !outcome) return <p>Finishing…</p>;
 * return <a href={returnTo ?? '/'}>{outcome.status === 'success' ? 'Connected: continue' : 'Back'}</a>;
 */
export function useLinkCallback(options: UseLinkCallbackOptions = {}): UseLinkCallbackResult {
  checkOptions(options);
  const [result, setResult] = useState(EMPTY);
  const done = useRef(false);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    const { result: r, saved } = runCallbackPage(window, latest.current.closePopup !== false);
    const finish = (final: CallbackResult) => {
      setResult({ ...final, confirming: false });
      latest.current.onResult?.(final);
    };
    const { confirm } = latest.current;
    if (!saved || confirm === undefined || r.outcome.status !== 'success') return finish(r);
    setResult({ ...EMPTY, returnTo: r.returnTo, confirming: true });
    // not aborted on unmount: the answer is saved for the page at returnTo either way
    confirmOutcome(confirm, r.outcome, new AbortController().signal).then(({ outcome }) => {
      // the same record, its return path and starting button kept, with the confirmed outcome
      saveReturned(window.sessionStorage, { ...saved, outcome });
      finish({ ...r, outcome });
    });
  }, []);
  return result;
}
