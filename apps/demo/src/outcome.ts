import type { LinkCancelled, LinkOutcome, LinkStep } from '@oflink/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { confirmConnection, DemoApiError, type DemoConnection } from './api';

/** Where an attempt was started from; shown next to the outcome. */
export type Origin = 'popup' | 'embed' | 'redirect' | 'auto' | 'reconnect';

/** What the UI shows for the latest attempt. A success is only `confirmed` once the server said so. */
export type ShownOutcome =
  | { status: 'success'; connectionId: string; origin: Origin; confirm: 'pending' }
  | { status: 'success'; connectionId: string; origin: Origin; confirm: 'ok'; connection: DemoConnection }
  | {
      status: 'success';
      connectionId: string;
      origin: Origin;
      confirm: 'failed';
      code: string;
      message: string;
    }
  | { status: 'cancelled'; origin: Origin; step?: LinkStep; reason: LinkCancelled['reason'] }
  | { status: 'error'; origin: Origin; code: string; message: string };

const STORAGE_KEY = 'northlight:last-outcome';

/** Keeps the outcome of a redirect flow for the Connect page the person returns to. */
export function rememberOutcome(outcome: ShownOutcome): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(outcome));
  } catch {
    // storage disabled: the Connect page simply shows no previous outcome
  }
}

function recallOutcome(): ShownOutcome | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    sessionStorage.removeItem(STORAGE_KEY);
    const value = raw ? (JSON.parse(raw) as ShownOutcome) : null;
    // only a settled outcome is worth showing again; a pending confirmation is re-done by the callback page
    return value && !(value.status === 'success' && value.confirm === 'pending') ? value : null;
  } catch {
    return null;
  }
}

/** A cancellation or an error, as shown. */
function settledExit(o: Exclude<LinkOutcome, { status: 'success' }>, origin: Origin): ShownOutcome {
  if (o.status === 'error') return { status: 'error', origin, code: o.code, message: o.message };
  return { status: 'cancelled', origin, reason: o.reason, ...(o.step ? { step: o.step } : {}) };
}

/** A success once the demo server confirmed it (or said why it did not). Never rejects. */
function confirmed(connectionId: string, origin: Origin): Promise<ShownOutcome> {
  return confirmConnection(connectionId).then(
    ({ connection }) => ({ status: 'success', connectionId, origin, confirm: 'ok', connection }),
    (error: unknown) => {
      const e = error instanceof DemoApiError ? error : new DemoApiError('server_error', String(error), 0);
      return { status: 'success', connectionId, origin, confirm: 'failed', code: e.code, message: e.message };
    },
  );
}

/**
 * The latest outcome, confirming successes on the server (`POST /api/oflink/confirm`) before they
 * are shown as connected. Only the latest report wins when attempts overlap.
 */
export function useOutcome(options: { recall?: boolean; onSettled?: (o: ShownOutcome) => void } = {}) {
  const [outcome, setOutcome] = useState<ShownOutcome | null>(null);
  const latest = useRef(0);
  const onSettled = useRef(options.onSettled);
  onSettled.current = options.onSettled;
  const recall = options.recall === true;

  useEffect(() => {
    if (!recall) return;
    const previous = recallOutcome();
    if (previous) setOutcome(previous);
  }, [recall]);

  const report = useCallback((o: LinkOutcome, origin: Origin) => {
    const attempt = ++latest.current;
    const settle = (shown: ShownOutcome) => {
      if (attempt !== latest.current) return;
      setOutcome(shown);
      onSettled.current?.(shown);
    };
    if (o.status !== 'success') return settle(settledExit(o, origin));
    setOutcome({ status: 'success', connectionId: o.connectionId, origin, confirm: 'pending' });
    confirmed(o.connectionId, origin).then(settle);
  }, []);

  const clear = useCallback(() => {
    latest.current++;
    setOutcome(null);
  }, []);

  return { outcome, report, clear };
}
