// The in-page step recorder of the popup measure. Every bench page (ours, the naive one, the
// floor) loads it first, so each click is split the same way: when the page's JavaScript first
// sees the click, when the app's own listener runs, when sessionStorage is written, when fetch()
// and window.open() are called, and when window.open() returns. Steps are performance.now()
// times; the first occurrence after the click counts.

/** The names of the steps a page can record. */
export type StepName =
  | 'delivered'
  | 'listener'
  | 'storeStart'
  | 'storeEnd'
  | 'fetch'
  | 'open'
  | 'openReturned';

/** Steps of the last click, in ms after the click event (`event.timeStamp`); absent when not reached. */
export type Steps = Partial<Record<StepName, number>>;

/**
 * The recorder, as an inline script for the head of a page: it wraps fetch, window.open and
 * sessionStorage.setItem (the page's own code is not changed) and exposes `window.__step(name)`
 * for the app's listener.
 */
export const STEP_RECORDER = `<script>
(() => {
  const s = { click: null, steps: {} };
  window.__steps = s;
  const step = (name) => {
    if (s.click !== null && !(name in s.steps)) s.steps[name] = performance.now();
  };
  window.__step = step;
  window.addEventListener('click', (e) => {
    s.click = e.timeStamp;
    s.steps = {};
    step('delivered');
  }, true);
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (...args) => { step('fetch'); return nativeFetch(...args); };
  const nativeOpen = window.open.bind(window);
  // window.open blocks the page while Chromium creates the window: when it returns tells how long
  window.open = (...args) => { step('open'); try { return nativeOpen(...args); } finally { step('openReturned'); } };
  const nativeSet = Storage.prototype.setItem;
  Storage.prototype.setItem = function (...args) {
    step('storeStart');
    try { return nativeSet.apply(this, args); } finally { step('storeEnd'); }
  };
})();
</script>`;

/** The page's expression that reads the last click's steps, relative to the click. */
export const READ_STEPS = `(() => { const s = window.__steps; if (!s || s.click === null) return {}; return Object.fromEntries(Object.entries(s.steps).map(([k, t]) => [k, t - s.click])); })()`;
