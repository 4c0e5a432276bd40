import { safeReturnPath } from './callback';
import { isConfirmOption } from './confirm';
import type { LinkControllerOptions } from './controller';

const oneOf =
  (...allowed: unknown[]) =>
  (v: unknown) =>
    allowed.includes(v);
const isFunction = (v: unknown) => typeof v === 'function';

const anything = () => true;

/**
 * Every option of a controller, declared once with what its value must pass (undefined always
 * passes: the default). The checks read it, and so does the split of `ConnectButton`'s props; the
 * `satisfies` makes an option added to the type without an entry here a type error. The session
 * params are the server's to check (`400 invalid_request`).
 */
const CHECKS = {
  mode: oneOf('auto', 'popup', 'embed', 'redirect'),
  theme: oneOf('auto', 'light', 'dark'),
  prefetch: oneOf(true, false, 'hover'),
  endpoint: (v) => typeof v === 'string' && v !== '',
  returnTo: (v, origin) => safeReturnPath(v, origin) !== null,
  zIndex: Number.isInteger,
  popupCloseGraceMs: (v) => typeof v === 'number' && v >= 0 && v < Number.POSITIVE_INFINITY,
  confirm: isConfirmOption,
  fetchSession: isFunction,
  onSuccess: isFunction,
  onExit: isFunction,
  onError: isFunction,
  onEvent: isFunction,
  embed: isFunction,
  connectionId: anything,
  geolocation: anything,
} satisfies Record<keyof LinkControllerOptions, (v: unknown, origin: string) => boolean>;

/**
 * Whether `name` is an option of a controller (for bindings that take the options among other
 * props, such as `ConnectButton`).
 *
 * @example
 * isLinkOption('mode'); // true
 * isLinkOption('className'); // false
 */
export const isLinkOption = (name: string): name is keyof LinkControllerOptions =>
  Object.hasOwn(CHECKS, name);

/** How a rejected value appears in a message: strings quoted, objects and functions by kind. */
const shown = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  return v !== null && typeof v === 'object' ? 'an object' : String(v);
};

/** What each option must be, for development messages (dropped from production builds); the rest are callbacks. */
const EXPECTED: Record<string, string> = {
  mode: 'one of "auto", "popup", "embed", "redirect"',
  theme: 'one of "auto", "light", "dark"',
  prefetch: 'true, false or "hover"',
  endpoint: 'a non-empty URL string',
  returnTo: 'a path on this origin starting with "/" (never another site)',
  zIndex: 'an integer',
  popupCloseGraceMs: 'a finite number of milliseconds ≥ 0',
  confirm: 'true (/api/oflink/confirm), the URL of your confirm endpoint, or a function',
  embed: 'the `embed` export of @oflink/core/embed or @oflink/react/embed',
};

/**
 * What is wrong with a controller's options, or null when they are valid: the first option whose
 * value is outside what it accepts (a `mode`, `theme` or `prefetch` outside its constants, an empty
 * `endpoint`, a `returnTo` that is not a same-origin path, a `zIndex` that is not an integer, a
 * negative or non-finite `popupCloseGraceMs`, a callback that is not a function), named with the
 * value it got; development builds also say what it must be. The session params are the server's to
 * check (`400 invalid_request`).
 *
 * @example
 * optionsProblem({ mode: 'modal' as never }, 'https://app.example');
 * // development: 'mode must be one of "auto", "popup", "embed", "redirect"; got "modal".'
 * // production: 'mode: got "modal".'
 */
export function optionsProblem(o: LinkControllerOptions, origin: string): string | null {
  for (const [name, ok] of Object.entries(CHECKS) as [string, (v: unknown, origin: string) => boolean][]) {
    const v = (o as Record<string, unknown>)[name];
    if (v === undefined || ok(v, origin)) continue;
    const got = `got ${shown(v)}.`;
    try {
      if (process.env.NODE_ENV !== 'production')
        return `${name} must be ${EXPECTED[name] ?? 'a function'}; ${got}`;
    } catch {
      // native ES modules without a bundler: no process, the short message
    }
    return `${name}: ${got}`;
  }
  if (o.mode !== 'embed' || o.embed !== undefined) return null;
  try {
    if (process.env.NODE_ENV !== 'production')
      return 'mode "embed" needs the modal: import { embed } from "@oflink/react/embed" (or "@oflink/core/embed") and pass it as the embed option.';
  } catch {
    // native ES modules without a bundler: no process, the short message
  }
  return 'embed: missing for mode "embed".';
}
