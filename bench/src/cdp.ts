// A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`, for measure 2.
//
// Why not Playwright: Playwright auto-attaches to every new page with `waitForDebuggerOnStart`, so a
// popup is paused until Playwright has set it up, and `window.open` itself waits for that: the pause
// (~60–80 ms here) was counted in every click → popup figure. This client attaches only to the
// targets it is asked to, after the fact, so a popup runs exactly as it does for a person.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { chromiumArgs, chromiumExecutable } from '../../scripts/chromium';

/** One protocol event (`sessionId` is set for events of an attached target). */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  method: string;
}

/** A running headless Chromium driven through its debugging pipe. */
export interface Cdp {
  /** Sends one command (to the browser, or to an attached target's `sessionId`) and awaits its result. */
  send<T = Record<string, unknown>>(
    method: string,
    params?: Record<string, unknown>,
    sessionId?: string,
  ): Promise<T>;
  /** Calls `listener` for every event until the returned function is called. */
  on(listener: (event: CdpEvent) => void): () => void;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

type Message = { id?: number; result?: unknown; error?: { message: string } } & Partial<CdpEvent>;

/** Reads the pipe's NUL-separated messages: answers settle their call, events go to the listeners. */
function dispatcher(pending: Map<number, Pending>, listeners: Set<(event: CdpEvent) => void>) {
  let buffer = '';
  return (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as Message;
      buffer = buffer.slice(end + 1);
      const call = message.id === undefined ? undefined : pending.get(message.id);
      if (call && message.id !== undefined) {
        pending.delete(message.id);
        if (message.error) call.reject(new Error(`${call.method}: ${message.error.message}`));
        else call.resolve(message.result);
      } else if (message.method) {
        for (const l of listeners) l(message as CdpEvent);
      }
    }
  };
}

/**
 * Launches Debian's Chromium headless (scripts/chromium.ts flags) with a fresh profile.
 *
 * @example
 * const cdp = await launchCdp();
 * const { targetInfos } = await cdp.send<{ targetInfos: unknown[] }>('Target.getTargets');
 * await cdp.close();
 */
export async function launchCdp(): Promise<Cdp> {
  const { proc, profile } = spawnChromium();
  const pipe = { pending: new Map<number, Pending>(), nextId: 0, exited: null as Error | null };
  const listeners = new Set<(event: CdpEvent) => void>();
  const fail = (error: Error) => {
    pipe.exited = error;
    for (const call of pipe.pending.values()) call.reject(error);
    pipe.pending.clear();
  };
  const output = proc.stdio[4] as Readable;
  output.setEncoding('utf8');
  output.on('data', dispatcher(pipe.pending, listeners));
  const exit = new Promise<void>((resolve) => {
    proc.once('exit', (code, signal) => {
      fail(new Error(`Chromium exited (code ${code}, signal ${signal})`));
      resolve();
    });
  });
  proc.once('error', fail);
  const send = sender(proc.stdio[3] as Writable, pipe);
  const close = async () => {
    if (!pipe.exited) {
      await send('Browser.close').catch(() => undefined);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(profile, { recursive: true, force: true });
  };
  const on = (listener: (event: CdpEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  // the first answer proves the pipe works (Chromium missing or refusing the flag fails here)
  await send('Browser.getVersion');
  return { send, on, close };
}

/** Headless Chromium on a fresh profile, its debugging pipe on file descriptors 3 (in) and 4 (out). */
function spawnChromium(): { proc: ChildProcess; profile: string } {
  const profile = mkdtempSync(join(tmpdir(), 'oflink-bench-chromium-'));
  const proc = spawn(
    chromiumExecutable,
    [...chromiumArgs, '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  return { proc, profile };
}

/** Sends one command down the pipe; its answer settles the promise (dispatcher reads the answers). */
function sender(
  input: Writable,
  pipe: { pending: Map<number, Pending>; nextId: number; exited: Error | null },
) {
  return <T>(method: string, params: Record<string, unknown> = {}, sessionId?: string) => {
    if (pipe.exited) return Promise.reject(pipe.exited);
    const id = ++pipe.nextId;
    return new Promise<T>((resolve, reject) => {
      pipe.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, method });
      input.write(
        `${JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params })}\0`,
      );
    });
  };
}

/**
 * Resolves with the first event `match` accepts, or rejects after `ms`.
 *
 * @example
 * await nextEvent(cdp, (e) => e.method === 'Page.loadEventFired' && e.sessionId === session, 10_000);
 */
export function nextEvent(cdp: Cdp, match: (event: CdpEvent) => boolean, ms: number): Promise<CdpEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching CDP event within ${ms} ms`));
    }, ms);
    const off = cdp.on((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/**
 * Evaluates `expression` in an attached target and returns its JSON value (throws on a page error).
 *
 * @example
 * await evaluate<number>(cdp, session, 'performance.timeOrigin');
 */
export async function evaluate<T>(cdp: Cdp, sessionId: string, expression: string): Promise<T> {
  const r = await cdp.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>(
    'Runtime.evaluate',
    { expression, returnByValue: true, awaitPromise: true },
    sessionId,
  );
  if (r.exceptionDetails) throw new Error(`page error: ${r.exceptionDetails.text} in ${expression}`);
  return r.result.value as T;
}

/**
 * Polls `expression` every 10 ms until it is truthy, or rejects after `ms`.
 *
 * @example
 * await waitFor(cdp, session, '!document.querySelector("button")?.disabled', 10_000);
 */
export async function waitFor(cdp: Cdp, sessionId: string, expression: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await evaluate<boolean>(cdp, sessionId, `Boolean(${expression})`).catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
