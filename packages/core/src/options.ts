// Every option of a controller, declared once with the check its value must pass: the validation
// at `open()` and the list `ConnectButton` splits its props by.
import { isConfirmOption } from './confirm';
import { isDev, say } from './dev';
import { safeReturnPath } from './records';
import type { LinkControllerOptions } from './types';

const oneOf =
  (...allowed: unknown[]) =>
  (v: unknown) =>
    allowed.includes(v);
const isFunction = (v: unknown) => typeof v === 'function';

/**
 * What each option's value must pass (undefined always passes: the default). The `satisfies` makes
 * an option added to the type without an entry here a type error. The session params are the
 * server's to check (`400 invalid_request`).
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
  connectionId: () => true,
  geolocation: () => true,
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
const shown = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : typeof v === 'function'
      ? 'a function'
      : v !== null && typeof v === 'object'
        ? 'an object'
        : String(v);

/**
 * What is wrong with a controller's options, or null when they are valid: the first option whose
 * value is outside what it accepts, named with the value it got (development builds also say what
 * it must be), or `mode: 'embed'` without the modal.
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
    // production says no more than the name: the expectations are development text
    if (!isDev()) return `${name}: ${got}`;
    const expected = say(name);
    return `${name} must be ${expected === name ? 'a function' : expected}; ${got}`;
  }
  if (o.mode !== 'embed' || o.embed !== undefined) return null;
  return isDev() ? say('embed_missing') : 'embed: missing for mode "embed".';
}
