// The bench page of measure 2: one ConnectButton in popup mode. `?prefetch=hover` (default) warms the
// session on hover; `?prefetch=false` fetches it on click. Marks go to window.__bench, and the steps
// of the click to the page's step recorder (pageSteps.ts), which the HTML loads first.
import { ConnectButton } from '@oflink/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';

interface BenchMarks {
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
    /** Records a step of the click (pageSteps.ts). */
    __step(name: 'listener'): void;
  }
}

const marks: BenchMarks = {
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
  () => {
    inClickTask = true;
    channel.port2.postMessage(0);
  },
  true,
);

const prefetch = new URLSearchParams(window.location.search).get('prefetch') === 'false' ? false : 'hover';
const client = new QueryClient();
const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <QueryClientProvider client={client}>
    <ConnectButton
      mode="popup"
      prefetch={prefetch}
      // the app's own listener: React has dispatched the click, our open() runs next
      onClick={() => window.__step('listener')}
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
