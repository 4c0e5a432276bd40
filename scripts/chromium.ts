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

/** Options for playwright's `chromium.launch()`. */
export const chromiumLaunchOptions = {
  executablePath: chromiumExecutable,
  args: chromiumArgs,
  headless: true,
};
