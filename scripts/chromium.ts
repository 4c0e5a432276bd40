/**
 * The one place that says how tests launch Chromium: Debian's build at CHROME_PATH or
 * /usr/bin/chromium (never a downloaded one), headless, with the flags this machine needs.
 */
export const chromiumExecutable = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * Options for playwright's `chromium.launch()`. Playwright turns the back-forward cache off by
 * default; it stays on here, as in the browsers people use, so Back restores pages as it does for them.
 */
export const chromiumLaunchOptions = {
  executablePath: chromiumExecutable,
  args: chromiumArgs,
  ignoreDefaultArgs: ['--disable-back-forward-cache'],
  headless: true,
};
