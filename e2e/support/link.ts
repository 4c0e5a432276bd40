import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';

/** The three ways the demo shows the hosted Link page (`auto` picks popup or redirect). */
export type Mode = 'popup' | 'embed' | 'redirect';
export const MODES: readonly Mode[] = ['popup', 'embed', 'redirect'];
/** The sandbox scenarios that end in a connection. */
export const SUCCESS_SCENARIOS = ['creator', 'creator-otp', 'fan', 'fan-otp'] as const;
export const PASSWORD = 'good-password';
export const CODE = '123456';

/** Where the hosted page is being shown: the popup, the modal's iframe, or the app's own tab. */
export type Scope = Page | FrameLocator;

/** A running Link attempt started from the demo. */
export interface Flow {
  mode: Mode;
  /** The hosted page. */
  link: Scope;
  /** The popup window (popup mode). */
  popup: Page | null;
}

/** The embedded modal's iframe. */
export const EMBED_FRAME = '[data-oflink-overlay] [role=dialog] iframe';

/** The demo's button for a mode. */
export const button = (page: Page, mode: Mode | 'auto'): Locator =>
  page.locator(`button[data-mode="${mode}"]`);

/** The latest outcome card. */
export const outcome = (page: Page): Locator => page.getByTestId('outcome');

const isOn = (origin: string) => (url: URL) => url.origin === origin;

/**
 * Clicks the demo's button for `mode` and waits until the hosted page (on `simOrigin`) shows its
 * first step, wherever it is shown.
 *
 * @example
 * const flow = await startFlow(page, 'popup', sim.url);
 * await walk(flow.link, 'creator');
 */
export async function startFlow(
  page: Page,
  mode: Mode,
  simOrigin: string,
  trigger: Locator = button(page, mode),
): Promise<Flow> {
  if (mode === 'popup') {
    const opened = page.waitForEvent('popup');
    await trigger.click();
    const popup = await opened;
    await popup.waitForURL(isOn(simOrigin));
    await step(popup, 'pre-login');
    return { mode, link: popup, popup };
  }
  await trigger.click();
  if (mode === 'embed') {
    const link = page.frameLocator(EMBED_FRAME);
    await step(link, 'pre-login');
    return { mode, link, popup: null };
  }
  await page.waitForURL(isOn(simOrigin));
  await step(page, 'pre-login');
  return { mode, link: page, popup: null };
}

/** Waits for the hosted page's step (`pre-login`, `login`, `2fa`, `done`, `error`). */
export async function step(link: Scope, name: string): Promise<void> {
  await link.locator(`[data-step="${name}"]`).waitFor();
}

/** Consent (pre-login) → login. */
export async function consent(link: Scope): Promise<void> {
  await step(link, 'pre-login');
  await link.locator('[data-action="continue"]').click();
}

/** Fills and submits the login form. */
export async function login(link: Scope, email: string, password = PASSWORD): Promise<void> {
  await step(link, 'login');
  await link.locator('[name="email"]').fill(email);
  await link.locator('[name="password"]').fill(password);
  await link.locator('[data-action="submit"]').click();
}

/** Fills and submits the 2fa code. */
export async function enterCode(link: Scope, code = CODE): Promise<void> {
  await step(link, '2fa');
  await link.locator('[name="code"]').fill(code);
  await link.locator('[data-action="submit"]').click();
}

/** Presses the hosted page's Cancel on the current step. */
export async function cancel(link: Scope): Promise<void> {
  await link.locator('[data-action="cancel"]').click();
}

/** A unique sandbox email for a scenario (unique so tests sharing a simulator never collide). */
export function email(scenario: string): string {
  return `e2e-${Math.random().toString(36).slice(2, 10)}@${scenario}.sandbox.com`;
}

/** Walks a sandbox scenario from consent to its end. */
export async function walk(link: Scope, scenario: string, address = email(scenario)): Promise<void> {
  await consent(link);
  await login(link, address);
  if (scenario.endsWith('-otp') || scenario === 'otp-rejected') await enterCode(link);
}

/**
 * The outcome card once settled: for a success, after the server's confirmation (`data-confirmed`
 * true, or false with a confirmation error), else the cancelled/error card.
 */
export async function settledOutcome(page: Page): Promise<{
  status: string | null;
  confirmed: string | null;
  connectionId: string | null;
}> {
  const card = outcome(page);
  await expect(card).toHaveAttribute('aria-busy', 'false');
  return {
    status: await card.getAttribute('data-status'),
    confirmed: await card.getAttribute('data-confirmed'),
    connectionId: await card.getAttribute('data-connection-id'),
  };
}
