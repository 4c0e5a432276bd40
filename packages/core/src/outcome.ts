import type { LinkCancelled, LinkStep } from './types';

// Small validators shared by the message, relay and callback parsers (internal: not exported by index.ts).

/** The steps a cancellation can name (PROTOCOL.md §2, §3). */
export const STEPS: readonly unknown[] = ['pre-login', 'authorization', 'login', '2fa'] satisfies LinkStep[];

/** What an id from OFAuth (a connection id, a client reference id) may look like: bounded, no markup. */
export const ID = /^[\w.:-]{1,200}$/;

/** Type guard for strings. */
export const str = (v: unknown): v is string => typeof v === 'string';

/** A plain object (not null, not an array), else null. */
export const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** A cancellation by the person, with `step` only when it is a known step. */
export const userExit = (step: unknown): LinkCancelled =>
  STEPS.includes(step)
    ? { status: 'cancelled', step: step as LinkStep, reason: 'user' }
    : { status: 'cancelled', reason: 'user' };
