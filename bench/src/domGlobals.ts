// The browser of the jsdom measures: a jsdom window installed as the globals, with its listeners,
// timers, BroadcastChannels and popups counted. Imported before React, which reads the globals.
interface JsdomWindow extends Window {
  EventTarget: typeof EventTarget;
  PointerEvent?: typeof PointerEvent;
  MouseEvent: typeof MouseEvent;
  MessageEvent: typeof MessageEvent;
  DOMException: typeof DOMException;
}
const jsdomName = 'jsdom';
const { JSDOM } = (await import(jsdomName)) as {
  JSDOM: new (html: string, options: Record<string, unknown>) => { window: JsdomWindow };
};
export const ORIGIN = 'http://127.0.0.1:5173';
export const w = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
  url: `${ORIGIN}/`,
  pretendToBeVisual: true,
}).window;
const g = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(w)) {
  if (!(key in g)) g[key] = (w as unknown as Record<string, unknown>)[key];
}
g.window = w;
g.document = w.document;
g.navigator = w.navigator;
g.IS_REACT_ACT_ENVIRONMENT = true;

// ------------------------------------------------------------------ instrumentation
interface Registration {
  target: EventTarget;
  type: string;
  listener: unknown;
  capture: boolean;
}
const registrations: Registration[] = [];
const proto = w.EventTarget.prototype;
const add = proto.addEventListener;
const remove = proto.removeEventListener;
const captureOf = (o: unknown) =>
  typeof o === 'boolean' ? o : Boolean((o as { capture?: boolean })?.capture);
proto.addEventListener = function (this: EventTarget, type: string, listener: unknown, options?: unknown) {
  const capture = captureOf(options);
  if (
    listener &&
    !registrations.some(
      (r) => r.target === this && r.type === type && r.listener === listener && r.capture === capture,
    )
  )
    registrations.push({ target: this, type, listener, capture });
  return add.call(this, type, listener as EventListener, options as boolean);
} as typeof proto.addEventListener;
proto.removeEventListener = function (this: EventTarget, type: string, listener: unknown, options?: unknown) {
  const capture = captureOf(options);
  const i = registrations.findIndex(
    (r) => r.target === this && r.type === type && r.listener === listener && r.capture === capture,
  );
  if (i >= 0) registrations.splice(i, 1);
  return remove.call(this, type, listener as EventListener, options as boolean);
} as typeof proto.removeEventListener;

const timers = new Set<number>();
const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = w;
w.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const id = st.call(
    w,
    (...a: unknown[]) => {
      timers.delete(id);
      fn(...a);
    },
    ms,
    ...args,
  );
  timers.add(id);
  return id;
}) as typeof w.setTimeout;
w.clearTimeout = ((id?: number) => {
  if (id !== undefined) timers.delete(id);
  ct.call(w, id);
}) as typeof w.clearTimeout;
w.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const id = si.call(w, fn, ms, ...args);
  timers.add(id);
  return id;
}) as typeof w.setInterval;
w.clearInterval = ((id?: number) => {
  if (id !== undefined) timers.delete(id);
  ci.call(w, id);
}) as typeof w.clearInterval;

const channels = new Set<BroadcastChannel>();
const NodeBroadcastChannel = globalThis.BroadcastChannel;
class CountedBroadcastChannel extends NodeBroadcastChannel {
  constructor(name: string) {
    super(name);
    channels.add(this);
    (this as unknown as { unref?: () => void }).unref?.();
  }
  override close() {
    channels.delete(this);
    super.close();
  }
}
g.BroadcastChannel = CountedBroadcastChannel;

interface FakePopup {
  closed: boolean;
  close(): void;
}
export const popups: FakePopup[] = [];
// jsdom cannot open windows: a popup like the core tests use. Scriptable while on about:blank;
// once navigated to the (cross-origin) hosted page, reading its document throws, as in a browser.
w.open = (() => {
  let navigated = false;
  const blank = { title: '', body: { textContent: '' } };
  const popup = {
    closed: false,
    close() {
      popup.closed = true;
    },
    location: {
      replace() {
        navigated = true;
      },
    },
    get document() {
      if (navigated)
        throw new w.DOMException('Blocked a frame from accessing a cross-origin frame.', 'SecurityError');
      return blank;
    },
  };
  popups.push(popup);
  return popup as unknown as Window;
}) as typeof w.open;

export function live() {
  const isLive = (t: EventTarget) => t === w || t === w.document || (t as Node).isConnected === true;
  return {
    listeners: registrations.filter((r) => isLive(r.target)).length,
    timers: timers.size,
    channels: channels.size,
    nodes: w.document.getElementsByTagName('*').length,
    popups: popups.filter((p) => !p.closed).length,
  };
}
export type Counts = ReturnType<typeof live>;
