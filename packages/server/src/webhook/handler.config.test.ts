// createWebhookHandler's configuration: a missing secret (as while a build loads routes), the secret
// from the environment, and options refused when the handler is made.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signedWebhook, WEBHOOK_SECRET, webhookBody } from '../../test/support';
import { createWebhookHandler } from './handler';

const SECRET = WEBHOOK_SECRET;
const body = webhookBody;
const signed = signedWebhook;

describe('createWebhookHandler configuration', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is created without a secret (as while `next build` loads routes); requests then answer 500 server_misconfigured, run no handler, and the log names OFAUTH_WEBHOOK_SECRET', async () => {
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET', undefined);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const created = vi.fn();
      const handler = createWebhookHandler({ on: { 'connection.created': created } });
      const response = await handler(signed(body()));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'server_misconfigured' } });
      expect(created).not.toHaveBeenCalled();
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/OFAUTH_WEBHOOK_SECRET/);
      vi.stubEnv('OFAUTH_WEBHOOK_SECRET', SECRET);
      expect((await handler(signed(body()))).status).toBe(200);
      expect(created).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });

  it('reads the secret from OFAUTH_WEBHOOK_SECRET by default', async () => {
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET', SECRET);
    const handler = createWebhookHandler({ on: {} });
    expect((await handler(signed(body()))).status).toBe(200);
  });

  it('accepts messages signed with OFAUTH_WEBHOOK_SECRET_OLD too during a rotation', async () => {
    const old = `whsec_${Buffer.from('the-secret-before-the-rotation').toString('base64')}`;
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET', SECRET);
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET_OLD', old);
    const handler = createWebhookHandler({ on: {}, onError: () => undefined });
    expect((await handler(signed(body(), { secret: old }))).status).toBe(200);
    expect((await handler(signed(body(), { id: 'msg_2' }))).status).toBe(200);
    vi.stubEnv('OFAUTH_WEBHOOK_SECRET_OLD', undefined);
    expect((await handler(signed(body(), { secret: old, id: 'msg_3' }))).status).toBe(401);
  });

  it('throws invalid_options at creation for a malformed secret, without echoing it', () => {
    const error = (() => {
      try {
        createWebhookHandler({ secret: 'whsec_not*base64!', on: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ name: 'OflinkServerError', code: 'invalid_options' });
    expect(String(error)).toMatch(/whsec_/);
    expect(String(error)).not.toContain('not*base64');
  });

  it('throws at creation for an unknown event type in `on` (a typo) and for a handler that is not a function', () => {
    expect(() =>
      createWebhookHandler({ secret: SECRET, on: { 'connection.create': () => undefined } as never }),
    ).toThrow(/unknown event type "connection.create"/);
    expect(() => createWebhookHandler({ secret: SECRET, on: { '*': 'log' } as never })).toThrow(/function/);
    expect(() => createWebhookHandler({ secret: SECRET, on: {}, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => createWebhookHandler({ secret: SECRET, on: {}, toleranceSeconds: -1 })).toThrow(
      /toleranceSeconds/,
    );
  });
});
