// @vitest-environment jsdom
// An embedded modal attempt: the modal, its messages, Escape, renewal and the success redirect.
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flush, fresh, resetPage, SESSION_ORIGIN, setup } from './controllerTestKit';
import { embed } from './embedEntry';
import type { LinkControllerOptions } from './types';

afterEach(resetPage);

describe('embed mode', () => {
  async function openEmbed(options: LinkControllerOptions = {}) {
    const trigger = document.createElement('button');
    trigger.textContent = 'Connect';
    document.body.appendChild(trigger);
    trigger.focus();
    const t = setup({ mode: 'embed', embed, ...options });
    t.controller.open();
    await t.src.resolve(fresh('cs_e'));
    const frame = document.querySelector('iframe') as HTMLIFrameElement;
    const post = (data: unknown, origin = SESSION_ORIGIN, source: unknown = frame.contentWindow) =>
      window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
    return { ...t, frame, post, trigger };
  }

  it('mounts an accessible modal with the embed URL parameters, locks scroll and moves focus in', async () => {
    const { frame, controller } = await openEmbed({ theme: 'dark', zIndex: 77 });
    const url = new URL(frame.src);
    expect(url.origin + url.pathname).toBe(`${SESSION_ORIGIN}/cs_e`);
    expect(url.searchParams.get('embed')).toBe('true');
    expect(url.searchParams.get('embed_origin')).toBe(window.location.origin);
    expect(url.searchParams.get('theme')).toBe('dark');
    expect(frame.getAttribute('allow')).toBe('camera; microphone; clipboard-read; clipboard-write');
    const dialog = document.querySelector('[role="dialog"]') as HTMLElement;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-label')).toBeTruthy();
    expect(frame.title).toBeTruthy();
    expect((document.querySelector('[data-oflink-overlay]') as HTMLElement).style.zIndex).toBe('77');
    expect(document.body.style.overflow).toBe('hidden');
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(controller.getState().status).toBe('open');
  });

  it('does not prefetch when it hands focus back to the trigger after a success (nobody would use that session)', async () => {
    const { post, controller, trigger, src } = await openEmbed();
    trigger.addEventListener('focus', () => controller.prefetch());
    const before = src.requests;
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn_f' } },
    });
    expect(controller.getState().status).toBe('success');
    await flush();
    expect(document.activeElement).toBe(trigger);
    expect(src.requests).toBe(before);
    // a person focusing it again later does prefetch
    trigger.blur();
    trigger.focus();
    expect(src.requests).toBe(before + 1);
  });

  it('has no axe violations while open', async () => {
    await openEmbed();
    const result = await axe.run(document.body, {
      iframes: false,
      rules: { 'color-contrast': { enabled: false } },
    });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it('ignores messages from another origin or another window, then accepts the frame', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { post, controller, frame } = await openEmbed();
    const success = {
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: {
        redirect: false,
        connection: { id: 'conn_e', userData: { id: 'u', name: 'n', username: 'un', avatar: null } },
      },
    };
    post(success, 'https://evil.test');
    post(success, `${SESSION_ORIGIN}:8443`);
    post(success, SESSION_ORIGIN, window);
    expect(controller.getState().status).toBe('open');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(frame.contentWindow).not.toBeNull();
    post(success);
    expect(controller.getState().outcome).toMatchObject({
      status: 'success',
      connectionId: 'conn_e',
      user: { username: 'un' },
    });
  });

  it('emits loaded and sandbox_info, and keeps the sandbox credentials in state', async () => {
    const { post, controller, events } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({
      type: 'OFAUTH_LINK',
      event: 'sandbox_info',
      metadata: {
        scenarios: [
          { id: 'creator', accountType: 'creator', loginType: 'password', password: 'good-password' },
        ],
      },
    });
    expect(events.map((e) => e.type)).toEqual([
      'session_requested',
      'session_ready',
      'opened',
      'loaded',
      'sandbox_info',
    ]);
    expect(controller.getState().sandbox?.scenarios[0]?.password).toBe('good-password');
  });

  it('reports loaded once per attempt, however often the page (or a renewed session) posts it', async () => {
    const { post, events, src } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    await src.resolve(fresh('cs_renewed'));
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    expect(events.filter((e) => e.type === 'loaded')).toHaveLength(1);
  });

  it.each([
    [
      'an exit type this version does not know',
      { type: 'approval', step: 'pre-login', error: null },
      { status: 'cancelled', step: 'pre-login', reason: 'user', exitType: 'approval' },
    ],
    ['an exit with no metadata', undefined, { status: 'cancelled', reason: 'user' }],
    ['a forced exit', { type: 'forced_exit', error: null }, { status: 'cancelled', reason: 'forced' }],
  ])('closes the modal on %s', async (_, metadata, outcome) => {
    const { post, controller } = await openEmbed();
    post(
      metadata === undefined
        ? { type: 'OFAUTH_LINK', event: 'exit' }
        : { type: 'OFAUTH_LINK', event: 'exit', metadata },
    );
    expect(controller.getState()).toMatchObject({ status: 'cancelled', outcome });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('ends with invalid_connection_id when a success carries no usable connection id', async () => {
    const { post, controller } = await openEmbed();
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: false, connection: { id: 'conn.a:1' } },
    });
    expect(controller.getState()).toMatchObject({
      status: 'error',
      outcome: { code: 'invalid_connection_id' },
    });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('on Escape asks the page to exit with exit_requested at the session origin; the exit answer cancels', async () => {
    const { post, frame, controller, trigger } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'loaded' });
    const sent = vi.spyOn(frame.contentWindow as Window, 'postMessage').mockImplementation(() => {});
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(sent).toHaveBeenCalledWith(
      { type: 'OFAUTH_LINK', event: 'exit_requested', force: false },
      SESSION_ORIGIN,
    );
    post({ type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'user_exit', step: 'login', error: null } });
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', step: 'login', reason: 'user' });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.body.style.overflow).toBe('');
    await vi.waitFor(() => expect(document.activeElement).toBe(trigger));
  });

  it('renews the session once on invalid_session and reloads the frame; a second one is an error', async () => {
    const { post, frame, controller, src, events } = await openEmbed();
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    await src.resolve(fresh('cs_renewed'));
    expect(new URL(frame.src).pathname).toBe('/cs_renewed');
    expect(events.map((e) => e.type)).toContain('session_renewed');
    post({ type: 'OFAUTH_LINK', event: 'invalid_session' });
    expect(controller.getState()).toMatchObject({ status: 'error', outcome: { code: 'invalid_session' } });
    expect(src.requests).toBe(2);
  });

  it('navigates to successUrl after onSuccess when the page asks for a redirect, on the app origin only', async () => {
    const order: string[] = [];
    const assign = vi.fn((url: string) => order.push(`assign:${url}`));
    const { post } = await openEmbed({ onSuccess: () => order.push('onSuccess') });
    const here = window.location.origin;
    vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, origin: here, assign });
    post({
      type: 'OFAUTH_LINK',
      event: 'success',
      metadata: { redirect: true, successUrl: `${here}/done`, connection: { id: 'conn_r' } },
    });
    expect(order).toEqual(['onSuccess', `assign:${here}/done`]);
  });

  it.each(['https://evil.example/phish', 'javascript:alert(1)', '//evil.example/x', 'not a url'])(
    'ignores a successUrl off the app origin (%s): the success is reported, nothing navigates',
    async (successUrl) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const assign = vi.fn();
      const onSuccess = vi.fn();
      const { post } = await openEmbed({ onSuccess });
      vi.spyOn(window, 'location', 'get').mockReturnValue({
        ...window.location,
        origin: window.location.origin,
        assign,
      });
      post({
        type: 'OFAUTH_LINK',
        event: 'success',
        metadata: { redirect: true, successUrl, connection: { id: 'conn_x' } },
      });
      expect(onSuccess).toHaveBeenCalledTimes(1);
      expect(assign).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not on this app’s origin'));
    },
  );

  it('close() tears the modal down as cancelled/closed', async () => {
    const { controller } = await openEmbed();
    controller.close();
    expect(document.querySelector('[data-oflink-overlay]')).toBeNull();
    expect(controller.getState().outcome).toEqual({ status: 'cancelled', reason: 'closed' });
  });
});
