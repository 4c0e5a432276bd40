// The controller's state, its subscribers and the outcome fan-out (state first, then events and
// callbacks), and the host side of the attempt interface.
import type { AttemptHost, RunningAttempt } from './attempt';
import { type ConfirmOption, confirmOutcome } from './confirm';
import type { LinkControllerOptions, LinkState } from './controller';
import { LinkError } from './LinkError';
import type { SessionSource } from './sessionSource';
import type { LinkEvent, LinkOutcome, LinkSession, LinkSuccess } from './types';

/** What the controller's methods share. */
export interface Store {
  host: AttemptHost;
  get(): LinkState;
  set(patch: Partial<LinkState>, notify?: boolean): void;
  subscribe(listener: () => void): () => void;
  /** The running attempt (or the confirmation of its success), if any. */
  running(): RunningAttempt | null;
  /** True while a closing modal hands focus back to the trigger. */
  focusReturning(): boolean;
  /** A session is at hand for the next click. */
  ready(session: LinkSession): void;
  /** Reports an outcome: the state, then the event and the callbacks. */
  report(outcome: LinkOutcome, error?: LinkError): void;
  /** A success waits for the app's server; stopping it drops it silently, closing cannot undo it. */
  confirmFirst(
    outcome: LinkSuccess,
    confirm: ConfirmOption,
    then: (final: LinkOutcome, error?: LinkError) => void,
  ): void;
}

/** Calls a callback only when it is a function: a wrong one is reported by the options check, never thrown on. */
const call = <T>(fn: ((arg: T) => void) | undefined, arg: T) => {
  if (typeof fn === 'function') fn(arg);
};

/** What the store and its attempt host share: the running attempt and the focus flag. */
interface Slot {
  attempt: RunningAttempt | null;
  returningFocus: boolean;
}

/** The pieces of the store an attempt reaches through its host. */
interface Parts {
  getOptions: () => LinkControllerOptions;
  source: SessionSource;
  slot: Slot;
  set(patch: Partial<LinkState>): void;
  emit(event: LinkEvent): void;
  settle(outcome: LinkOutcome, error?: LinkError): LinkError | null;
  announce(outcome: LinkOutcome, err: LinkError | null): void;
  confirmFirst: Store['confirmFirst'];
}

function attemptHost(p: Parts): AttemptHost {
  const { slot, emit } = p;
  return {
    options: p.getOptions,
    source: p.source,
    emit,
    patch: (patch) => p.set(patch),
    // the request goes out before any app code (onEvent) runs; `session_ready` is for the attempt to
    // announce once it has acted on the session (a popup navigates before app code can delay it)
    startSession() {
      const pending = p.source.get(new AbortController().signal);
      emit({ type: 'session_requested' });
      return pending;
    },
    announce: (s) => emit({ type: 'session_ready', expiresAt: s.expiresAt }),
    begin: (a) => {
      slot.attempt = a;
    },
    isCurrent: (a) => slot.attempt === a,
    release: (a) => {
      if (slot.attempt === a) slot.attempt = null;
    },
    conclude: concluder(p),
    returningFocus(fn) {
      slot.returningFocus = true;
      fn();
      queueMicrotask(() => {
        slot.returningFocus = false;
      });
    },
  };
}

/**
 * How an attempt's outcome is reported: a success the app's server must confirm is confirmed
 * first (the UI closes meanwhile); then the state changes, the UI closes, the callbacks run.
 */
function concluder(p: Parts): AttemptHost['conclude'] {
  return (outcome, error, closeUi, afterwards) => {
    const done = (final: LinkOutcome, err: LinkError | null) => {
      p.announce(final, err);
      afterwards(final);
    };
    const confirm = p.getOptions().confirm;
    if (outcome.status === 'success' && !outcome.confirmed && confirm !== undefined) {
      p.confirmFirst(outcome, confirm, (final, e) => done(final, p.settle(final, e)));
      closeUi();
      return;
    }
    const err = p.settle(outcome, error);
    closeUi();
    done(outcome, err);
  };
}

/** A success waits for the app's server; stopping it drops it silently, closing cannot undo it. */
function confirmer(slot: Slot, set: Parts['set']): Store['confirmFirst'] {
  return (outcome, confirm, then) => {
    const aborter = new AbortController();
    const pending: RunningAttempt = {
      stop: (close) => {
        if (!close) aborter.abort();
      },
    };
    slot.attempt = pending;
    set({ status: 'confirming', outcome: null, error: null, session: null });
    confirmOutcome(confirm, outcome, aborter.signal).then((final) => {
      if (aborter.signal.aborted) return;
      if (slot.attempt === pending) slot.attempt = null;
      then(final.outcome, final.error);
    });
  };
}

/** The state before any attempt. */
export const INITIAL: LinkState = {
  status: 'idle',
  outcome: null,
  error: null,
  session: null,
  isReady: false,
  sandbox: null,
};

export function createStore(getOptions: () => LinkControllerOptions, source: SessionSource): Store {
  let state = INITIAL;
  const listeners = new Set<() => void>();
  const slot: Slot = { attempt: null, returningFocus: false };
  const set = (patch: Partial<LinkState>, notify = true) => {
    state = { ...state, ...patch };
    if (notify) for (const l of [...listeners]) l();
  };
  const emit = (event: LinkEvent) => call(getOptions().onEvent, event);
  // the outcome's state first: bindings re-enable the trigger before a modal gives focus back to it
  const settle = (outcome: LinkOutcome, error?: LinkError): LinkError | null => {
    const err = outcome.status === 'error' ? (error ?? new LinkError(outcome.code, outcome.message)) : null;
    set({ status: outcome.status, outcome, error: err, session: null, isReady: source.peek() !== undefined });
    return err;
  };
  const announce = (outcome: LinkOutcome, err: LinkError | null) => {
    const o = getOptions();
    // the event types `success`, `cancelled` and `error` are the outcome statuses
    emit({ type: outcome.status, outcome } as LinkEvent);
    if (outcome.status === 'success') return call(o.onSuccess, outcome);
    call(o.onExit, outcome);
    if (err) call(o.onError, err);
  };
  const confirmFirst = confirmer(slot, set);
  return {
    host: attemptHost({ getOptions, source, slot, set, emit, settle, announce, confirmFirst }),
    get: () => state,
    set,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    running: () => slot.attempt,
    focusReturning: () => slot.returningFocus,
    ready: (session) =>
      set({ isReady: true, session, status: state.status === 'idle' ? 'ready' : state.status }),
    report: (outcome, error) => announce(outcome, settle(outcome, error)),
    confirmFirst,
  };
}
