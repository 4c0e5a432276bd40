// The bench page of measure 2: one ConnectButton in popup mode. `?prefetch=hover` (default) warms the
// session on hover; `?prefetch=false` fetches it on click. Marks go to window.__bench for Playwright.
import { ConnectButton } from '@oflink/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';

interface BenchMarks {
  /** event.timeStamp of the click (performance.now() time base). */
  click: number | null;
  /** performance.now() when the page called window.open: the click → call time is JavaScript only. */
  openCalled: number | null;
  /** performance.now() when the controller reported `opened` (right after popup.location.replace). */
  opened: number | null;
  /** Whether `opened` happened before the click's task ended. */
  openedInClickTask: boolean | null;
  /** A prefetched session is cached. */
  ready: boolean;
  events: string[];
}

declare global {
  interface Window {
    __bench: BenchMarks;
  }
}

const marks: BenchMarks = {
  click: null,
  openCalled: null,
  opened: null,
  openedInClickTask: null,
  ready: false,
  events: [],
};
window.__bench = marks;

// true from the click's capture listener until the next task: a MessageChannel message is a task
// queued now, so it runs only after the click task (and its microtasks) finished
let inClickTask = false;
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  inClickTask = false;
};
window.addEventListener(
  'click',
  (e) => {
    marks.click = e.timeStamp;
    inClickTask = true;
    channel.port2.postMessage(0);
  },
  true,
);

// what Chromium then spends creating the window is the floor's too: timed apart from our code
const nativeOpen = window.open.bind(window);
window.open = (...args: Parameters<typeof window.open>) => {
  marks.openCalled = performance.now();
  return nativeOpen(...args);
};

const prefetch = new URLSearchParams(window.location.search).get('prefetch') === 'false' ? false : 'hover';
const client = new QueryClient();
const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <QueryClientProvider client={client}>
    <ConnectButton
      mode="popup"
      prefetch={prefetch}
      onEvent={(e) => {
        marks.events.push(e.type);
        if (e.type === 'session_ready') marks.ready = true;
        if (e.type === 'opened') {
          marks.opened = performance.now();
          marks.openedInClickTask = inClickTask;
        }
      }}
    />
  </QueryClientProvider>,
);
