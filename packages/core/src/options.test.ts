import { afterEach, describe, expect, it, vi } from 'vitest';
import { optionsProblem } from './options';
import type { LinkControllerOptions } from './types';

const ORIGIN = 'https://app.example';
const check = (o: Record<string, unknown>) => optionsProblem(o as LinkControllerOptions, ORIGIN);

afterEach(() => {
  vi.unstubAllEnvs();
});

/** `check` as a production build has it: the build mode is read once, when the modules load. */
async function productionCheck() {
  vi.stubEnv('NODE_ENV', 'production');
  vi.resetModules();
  const production = await import('./options');
  return (o: Record<string, unknown>) => production.optionsProblem(o as LinkControllerOptions, ORIGIN);
}

describe('optionsProblem', () => {
  it('accepts no options, every documented value, and undefined members', () => {
    expect(check({})).toBeNull();
    for (const mode of ['auto', 'popup', 'redirect']) expect(check({ mode })).toBeNull();
    expect(check({ mode: 'embed', embed: () => ({}) })).toBeNull();
    for (const theme of ['auto', 'light', 'dark']) expect(check({ theme })).toBeNull();
    for (const prefetch of [true, false, 'hover']) expect(check({ prefetch })).toBeNull();
    expect(
      check({
        mode: undefined,
        endpoint: '/api/oflink/session',
        returnTo: '/settings?tab=2#x',
        zIndex: -1,
        popupCloseGraceMs: 0,
        fetchSession: async () => ({}),
        onSuccess: () => {},
        onExit: () => {},
        onError: () => {},
        onEvent: () => {},
        connectionId: 'conn_1',
      }),
    ).toBeNull();
    expect(check({ endpoint: 'https://api.app.example/oflink' })).toBeNull();
  });

  it('refuses mode "embed" without the embed view, saying where it comes from', async () => {
    expect(check({ mode: 'embed' })).toBe(
      'mode "embed" needs the modal: import { embed } from "@oflink/react/embed" (or "@oflink/core/embed") and pass it as the embed option.',
    );
    expect(check({ mode: 'popup', embed: 'yes' })).toBe(
      'embed must be the `embed` export of @oflink/core/embed or @oflink/react/embed; got "yes".',
    );
    expect((await productionCheck())({ mode: 'embed' })).toBe('embed: missing for mode "embed".');
  });

  it.each([
    [{ mode: 'modal' }, 'mode must be one of "auto", "popup", "embed", "redirect"; got "modal".'],
    [{ mode: null }, 'mode must be one of "auto", "popup", "embed", "redirect"; got null.'],
    [{ theme: 'neon' }, 'theme must be one of "auto", "light", "dark"; got "neon".'],
    [{ prefetch: 'always' }, 'prefetch must be true, false or "hover"; got "always".'],
    [{ prefetch: 1 }, 'prefetch must be true, false or "hover"; got 1.'],
    [{ endpoint: '' }, 'endpoint must be a non-empty URL string; got "".'],
    [{ endpoint: new URL('https://x.example') }, 'endpoint must be a non-empty URL string; got an object.'],
    [{ zIndex: '10;background:red' }, 'zIndex must be an integer; got "10;background:red".'],
    [{ zIndex: 1.5 }, 'zIndex must be an integer; got 1.5.'],
    [{ popupCloseGraceMs: -1 }, 'popupCloseGraceMs must be a finite number of milliseconds ≥ 0; got -1.'],
    [
      { popupCloseGraceMs: Number.NaN },
      'popupCloseGraceMs must be a finite number of milliseconds ≥ 0; got NaN.',
    ],
    [
      { popupCloseGraceMs: Number.POSITIVE_INFINITY },
      'popupCloseGraceMs must be a finite number of milliseconds ≥ 0; got Infinity.',
    ],
    [
      { popupCloseGraceMs: '3000' },
      'popupCloseGraceMs must be a finite number of milliseconds ≥ 0; got "3000".',
    ],
    [{ onSuccess: 'done' }, 'onSuccess must be a function; got "done".'],
    [{ onExit: {} }, 'onExit must be a function; got an object.'],
    [{ onError: true }, 'onError must be a function; got true.'],
    [{ onEvent: 0 }, 'onEvent must be a function; got 0.'],
    [{ fetchSession: '/api' }, 'fetchSession must be a function; got "/api".'],
  ])('names the option, the value and what it must be: %o', (options, message) => {
    expect(check(options)).toBe(message);
  });

  it.each([
    'https://evil.example/x',
    '//evil.example/x',
    '/\\evil.example',
    '/a/..//evil.example',
    'settings',
    'javascript:alert(1)',
  ])('refuses returnTo %s: only a path on the app origin (never an open redirect)', (returnTo) => {
    expect(check({ returnTo })).toBe(
      `returnTo must be a path on this origin starting with "/" (never another site); got ${JSON.stringify(returnTo)}.`,
    );
  });

  it('in production builds names the option and the value only (the expectations are dev text)', async () => {
    const production = await productionCheck();
    expect(production({ mode: 'modal' })).toBe('mode: got "modal".');
    expect(production({ onExit: [] })).toBe('onExit: got an object.');
    expect(production({ returnTo: '//evil.example' })).toBe('returnTo: got "//evil.example".');
  });

  it('reports the first bad option only', () => {
    expect(check({ mode: 'x', theme: 'y' })).toMatch(/^mode /);
  });
});
