// Development messages, and the one place the build mode is read. Production builds keep codes
// only: an app's bundler replaces `process.env.NODE_ENV` with "production", the minifier folds the
// test below to `null`, and every sentence of the table leaves the bundle with it. Loaded as native
// ES modules with no bundler, `process` does not exist: the `catch` gives production's `null` too.
import { acceptLinkMessage } from './messages';

type Say = (...args: never[]) => string;

const TEXT: Record<string, Say> | null = (() => {
  try {
    return process.env.NODE_ENV !== 'production'
      ? ({
          popup_blocked: () =>
            'The browser blocked the popup. Call open() directly in a click handler, allow popups, or use mode "redirect" or "embed".',
          missing_query_client: () =>
            '`useLinkSession` must be used inside a `QueryClientProvider`, or be given a `queryClient` option.',
          network_error: (endpoint: string) =>
            `${endpoint} could not be reached. Check the connection and try again.`,
          endpoint_timeout: (endpoint: string, seconds: number) =>
            `${endpoint} did not answer within ${seconds} s. Check the server behind it and try again.`,
          unsupported_mode: (mode: string) =>
            `The session endpoint returned a "${mode}" session; only hosted sessions can be opened.`,
          invalid_session_response: () => 'The session endpoint did not return { mode, url, expiresAt }.',
          confirm_failed: () => 'The connection could not be confirmed.',
          invalid_options: (problem: string) => `Invalid oflink options: ${problem}`,
          // what each option must be, for invalid_options (the rest are callbacks: "a function")
          mode: () => 'one of "auto", "popup", "embed", "redirect"',
          theme: () => 'one of "auto", "light", "dark"',
          prefetch: () => 'true, false or "hover"',
          endpoint: () => 'a non-empty URL string',
          returnTo: () => 'a path on this origin starting with "/" (never another site)',
          zIndex: () => 'an integer',
          popupCloseGraceMs: () => 'a finite number of milliseconds ≥ 0',
          confirm: () => 'true (/api/oflink/confirm), the URL of your confirm endpoint, or a function',
          embed: () => 'the `embed` export of @oflink/core/embed or @oflink/react/embed',
          embed_missing: () =>
            'mode "embed" needs the modal: import { embed } from "@oflink/react/embed" (or "@oflink/core/embed") and pass it as the embed option.',
          // warnings: why something was ignored
          busy: () => 'open() was called while an attempt is already running; ignored. Call close() first.',
          not_prefetching: (problem: string) => `Not prefetching: ${problem}`,
          prefetch_failed: (e: unknown) =>
            `Prefetching the session failed (${e instanceof Error ? e.message : String(e)}); not prefetching again until a click, which will retry.`,
          popup_storage: () => 'sessionStorage is unavailable: the popup callback cannot relay its result.',
          redirect_storage: () =>
            'sessionStorage is unavailable: the callback page will not know where to return.',
          relay: () =>
            'Ignored a callback relay that does not match this attempt (wrong id or nonce, or an ended attempt).',
          success_url: () => 'Ignored the successUrl of an embedded success: it is not on this app’s origin.',
          frame_message: (e: MessageEvent, sessionUrl: string, source: unknown) =>
            `Ignored an OFAUTH_LINK message because ${(acceptLinkMessage(e, sessionUrl, source) as { ignored: string }).ignored}.`,
        } satisfies Record<string, Say>)
      : null;
  } catch {
    return null;
  }
})();

/**
 * True in development builds (the bundler's `NODE_ENV` is not `production`); false in production
 * builds and as native ES modules without a bundler.
 * @example
 * if (isDev()) console.info('sandbox session');
 */
export const isDev = (): boolean => TEXT !== null;

/**
 * The development sentence of `key`, or `key` itself in production: what a `LinkError` says.
 * @example
 * new LinkError('popup_blocked', say('popup_blocked'));
 */
export function say(key: string, ...args: unknown[]): string {
  const text = TEXT?.[key] as ((...a: unknown[]) => string) | undefined;
  return text ? text(...args) : key;
}

/**
 * A development-only console warning that says why something was ignored; nothing in production.
 * @example
 * warn('busy');
 */
export function warn(key: string, ...args: unknown[]): void {
  if (TEXT) console.warn(`[oflink] ${say(key, ...args)}`);
}
