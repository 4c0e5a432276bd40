// Webhook messages for verifyWebhook's tests: the secrets, both envelopes and connection shapes, the
// two signature schemes signed independently of the code under test, and the tally of the cases.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, expect } from 'vitest';
import { writeFigures } from '../../../scripts/figures';
import type { WebhookVerificationErrorCode } from '../src/errors';
import { WebhookVerificationError } from '../src/webhook/error';
import { verifyWebhook } from '../src/webhook/verify';

export const SECRET = `whsec_${Buffer.from('oflink-server-webhook-secret-32b').toString('base64')}`;
export const OLD_SECRET = `whsec_${Buffer.from('the-previous-secret-before-rotation').toString('base64')}`;
export const OTHER_SECRET = `whsec_${Buffer.from('somebody-elses-webhook-secret-00').toString('base64')}`;
export const NOW_S = 1_763_000_000;
export const NOW = NOW_S * 1000;
/** The docs envelope's own time: a minute before the messages are signed. */
export const DOCS_TIME = new Date(NOW - 60_000).toISOString();

export const connection = {
  id: 'conn_abc123',
  status: 'active',
  userData: { id: '42', name: 'Ana', username: 'ana', avatar: null },
  permissions: ['profile:read'],
  expiredAt: null,
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:00:00.000Z',
  clientReferenceId: 'user_42',
  imported: false,
  lastCheckedAt: null,
};
export const sdkBody = (
  eventType = 'connection.created',
  data: unknown = { connection, clientReferenceId: 'user_42' },
) => JSON.stringify({ eventType, live: false, data });
export const docsBody = (type = 'connection.updated') =>
  JSON.stringify({
    type,
    timestamp: DOCS_TIME,
    data: { clientReferenceId: 'user_42', connection },
  });

/** Standard Webhooks headers signed by the independent `standardwebhooks` package. */
export function standard(
  body: string,
  { id = 'msg_2Yh7', ts = NOW_S, secret = SECRET, family = 'svix' as 'svix' | 'webhook' } = {},
): Record<string, string> {
  const signature = new Webhook(secret).sign(id, new Date(ts * 1000), body);
  return { [`${family}-id`]: id, [`${family}-timestamp`]: String(ts), [`${family}-signature`]: signature };
}

/** OFAuth-Signature, signed by hand with node:crypto over `${t}.${body}` keyed with the decoded secret. */
export function ofauthSig(
  body: string | Buffer,
  ts = NOW_S,
  secret = SECRET,
  encoding: 'hex' | 'base64' = 'hex',
) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${ts}.`), Buffer.from(body)]))
    .digest(encoding);
}
export const ofauth = (body: string, ts = NOW_S, secret = SECRET, encoding: 'hex' | 'base64' = 'hex') => ({
  'OFAuth-Signature': `t=${ts},v1=${ofauthSig(body, ts, secret, encoding)}`,
});

/**
 * `accepted` and `rejected` check one case each and count it; after the file's tests, the count is
 * the figure `name` of the run's table.
 */
export function verifyCases(name: string, measure: string) {
  const tally = { correct: 0, total: 0 };
  async function accepted(
    body: string | Uint8Array,
    headers: Headers | Record<string, string>,
    secret: string | string[] = SECRET,
  ) {
    tally.total++;
    const event = await verifyWebhook(body, headers, secret, { now: NOW });
    tally.correct++;
    return event;
  }
  async function rejected(
    code: WebhookVerificationErrorCode,
    body: string | Uint8Array,
    headers: Headers | Record<string, string>,
    secret: string | string[] = SECRET,
    options: { toleranceSeconds?: number } = {},
  ) {
    tally.total++;
    const error = await verifyWebhook(body, headers, secret, { now: NOW, ...options }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ name: 'WebhookVerificationError', code });
    expect(String((error as Error).message)).not.toContain(SECRET.slice(6, 20));
    tally.correct++;
  }

  afterAll(() => {
    writeFigures(name, [
      { area: 'webhooks', measure, value: `${tally.correct}/${tally.total}`, goal: 'all' },
    ]);
  });
  return { accepted, rejected };
}
