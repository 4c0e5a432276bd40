// Story-only helpers: a small page around ConnectButton that shows the outcome, and the means for
// play functions to drive the simulator's hosted page (served on the story's origin, see README.md).

import { useState } from 'react';
import { expect, userEvent, waitFor } from 'storybook/test';
import {
  ConnectButton,
  type ConnectButtonProps,
  type LinkError,
  type LinkOutcome,
} from '../packages/react/src/index';

/** Generous waits: the machine running the stories may be busy; nothing here measures speed. */
export const WAIT = { timeout: 15_000, interval: 50 } as const;

const STEP_WORDS: Record<string, string> = {
  'pre-login': 'before logging in',
  authorization: 'at the authorization step',
  login: 'at the login step',
  '2fa': 'at the one-time code step',
};

/** Plain words for an outcome, as an app would show them. */
export function describeOutcome(outcome: LinkOutcome): string {
  if (outcome.status === 'success') {
    const who = outcome.user ? `${outcome.user.name} (@${outcome.user.username})` : 'Your account';
    return `${who} is connected. Confirm ${outcome.connectionId} on the server before trusting it.`;
  }
  if (outcome.status === 'cancelled') {
    if (outcome.reason === 'closed') return 'The window was closed before the account was connected.';
    return `You left ${outcome.step ? STEP_WORDS[outcome.step] : 'the flow'}; nothing was connected.`;
  }
  return `${outcome.message} (${outcome.code})`;
}

/** Renders an outcome with stable attributes: `data-status`, `data-code`, `data-step`, `data-reason`, `data-connection-id`. */
export function OutcomeView({ outcome, error }: { outcome: LinkOutcome | null; error?: LinkError | null }) {
  if (!outcome) return <output data-testid="outcome" data-status="none" className="outcome" />;
  return (
    <output
      data-testid="outcome"
      className="outcome"
      data-status={outcome.status}
      data-code={outcome.status === 'error' ? outcome.code : undefined}
      data-http-status={error?.status}
      data-step={outcome.status === 'cancelled' ? (outcome.step ?? '') : undefined}
      data-reason={outcome.status === 'cancelled' ? outcome.reason : undefined}
      data-connection-id={outcome.status === 'success' ? outcome.connectionId : undefined}
      data-client-reference-id={
        outcome.status === 'success' ? (outcome.clientReferenceId ?? undefined) : undefined
      }
    >
      {describeOutcome(outcome)}
    </output>
  );
}

/**
 * A `ConnectButton` on a small page that shows its outcome and the `onEvent` funnel. The props'
 * own callbacks still run (so Storybook's actions panel logs them).
 */
export function Flow({ title, ...props }: ConnectButtonProps & { title?: string }) {
  const [outcome, setOutcome] = useState<LinkOutcome | null>(null);
  const [error, setError] = useState<LinkError | null>(null);
  const [events, setEvents] = useState<string[]>([]);
  return (
    <section className="oflink-card" aria-label={title ?? 'Connect'}>
      {title ? <h2>{title}</h2> : null}
      <ConnectButton
        className="oflink-button"
        {...props}
        onSuccess={(o) => {
          setOutcome(o);
          setError(null);
          props.onSuccess?.(o);
        }}
        onExit={(o) => {
          setOutcome(o);
          props.onExit?.(o);
        }}
        onError={(e) => {
          setError(e);
          props.onError?.(e);
        }}
        onEvent={(e) => {
          setEvents((list) => [...list, e.type]);
          props.onEvent?.(e);
        }}
      />
      <OutcomeView outcome={outcome} error={error} />
      <ol data-testid="events" className="events" aria-label="Link events">
        {events.map((type, i) => (
          // events only ever get appended: the index is stable
          // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
          <li key={i}>{type}</li>
        ))}
      </ol>
    </section>
  );
}

/** The iframe of the embed modal (`[data-oflink-overlay] [role=dialog] iframe`), once mounted. */
export async function embedFrame(doc: Document = document): Promise<HTMLIFrameElement> {
  let frame: HTMLIFrameElement | null = null;
  await waitFor(() => {
    frame = doc.querySelector<HTMLIFrameElement>('[data-oflink-overlay] [role=dialog] iframe');
    expect(frame).not.toBeNull();
  }, WAIT);
  return frame as unknown as HTMLIFrameElement;
}

/**
 * Waits until the hosted page in `target` (the embed iframe or the popup window) shows `step`
 * (`data-step` of `#link`), and returns its document.
 */
export async function hostedStep(target: HTMLIFrameElement | Window, step: string): Promise<Document> {
  let doc: Document | null = null;
  await waitFor(() => {
    const d = target instanceof HTMLIFrameElement ? target.contentDocument : target.document;
    expect(d?.querySelector('#link')?.getAttribute('data-step')).toBe(step);
    doc = d;
  }, WAIT);
  return doc as unknown as Document;
}

function find<T extends Element>(doc: Document, selector: string): T {
  const el = doc.querySelector<T>(selector);
  if (!el) throw new Error(`The hosted page has no ${selector}.`);
  return el;
}

/** Consent step: Continue. */
export async function consent(doc: Document): Promise<void> {
  await userEvent.click(find(doc, '[data-action="continue"]'));
}

/** Login step: a sandbox email and the sandbox password, then Log in. */
export async function logIn(doc: Document, email: string): Promise<void> {
  await userEvent.type(find(doc, '[name="email"]'), email);
  await userEvent.type(find(doc, '[name="password"]'), 'good-password');
  await userEvent.click(find(doc, '[data-action="submit"]'));
}

/** 2FA step: the sandbox code, then Verify. */
export async function enterCode(doc: Document): Promise<void> {
  await userEvent.type(find(doc, '[name="code"]'), '123456');
  await userEvent.click(find(doc, '[data-action="submit"]'));
}

/** Any step: Cancel. */
export async function cancel(doc: Document): Promise<void> {
  await userEvent.click(find(doc, '[data-action="cancel"]'));
}

/** The connections the simulator holds (`GET /__simulator/connections`), as a server would confirm them. */
export async function simulatorConnections(): Promise<{ id: string; clientReferenceId: string | null }[]> {
  const res = await fetch('/__simulator/connections');
  return (await res.json()) as { id: string; clientReferenceId: string | null }[];
}

/**
 * Records the windows `window.open` returns (and can make it return null, like a popup blocker).
 * Install it in a story's `beforeEach`; the returned cleanup restores `window.open` and closes
 * what is still open.
 */
export function popupSpy(options: { block?: boolean } = {}) {
  const opened: Window[] = [];
  let calls = 0;
  return {
    opened,
    get calls() {
      return calls;
    },
    install() {
      opened.length = 0;
      calls = 0;
      const original = window.open;
      window.open = (...args: Parameters<Window['open']>) => {
        calls++;
        if (options.block) return null;
        const w = original.apply(window, args);
        if (w) opened.push(w);
        return w;
      };
      return () => {
        window.open = original;
        for (const w of opened) if (!w.closed) w.close();
      };
    },
  };
}
