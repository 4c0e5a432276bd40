// verifyWebhook refusing what is not an authentic, fresh message: each refusal a typed error.
import { createHmac } from 'node:crypto';
import { describe, it } from 'vitest';
import {
  connection,
  NOW_S,
  OTHER_SECRET,
  ofauth,
  ofauthSig,
  SECRET,
  sdkBody,
  standard,
  verifyCases,
} from '../../test/webhookMessages';

const { rejected } = verifyCases('server-webhooks-refused', 'verifyWebhook refusal cases rejected correctly');

describe('verifyWebhook rejects', () => {
  it('a tampered body, for both schemes', async () => {
    const body = sdkBody();
    const tampered = body.replace('user_42', 'user_43');
    await rejected('invalid_signature', tampered, standard(body));
    await rejected('invalid_signature', tampered, ofauth(body));
  });

  it('a body re-serialised after signing (whitespace changed)', async () => {
    const body = JSON.stringify(JSON.parse(sdkBody()), null, 2);
    await rejected('invalid_signature', JSON.stringify(JSON.parse(body)), standard(body));
  });

  it('a changed message id (the id is signed)', async () => {
    const body = sdkBody();
    await rejected('invalid_signature', body, { ...standard(body), 'svix-id': 'msg_other' });
  });

  it('a wrong secret, for both schemes', async () => {
    const body = sdkBody();
    await rejected('invalid_signature', body, standard(body, { secret: OTHER_SECRET }));
    await rejected('invalid_signature', body, ofauth(body, NOW_S, OTHER_SECRET));
  });

  it('a timestamp 301 s old, for both schemes', async () => {
    const body = sdkBody();
    await rejected('timestamp_too_old', body, standard(body, { ts: NOW_S - 301 }));
    await rejected('timestamp_too_old', body, ofauth(body, NOW_S - 301));
  });

  it('a timestamp 301 s in the future, for both schemes', async () => {
    const body = sdkBody();
    await rejected('timestamp_in_future', body, standard(body, { ts: NOW_S + 301 }));
    await rejected('timestamp_in_future', body, ofauth(body, NOW_S + 301));
  });

  it('a timestamp outside a custom tolerance', async () => {
    const body = sdkBody();
    await rejected('timestamp_too_old', body, standard(body, { ts: NOW_S - 11 }), SECRET, {
      toleranceSeconds: 10,
    });
  });

  it('a forged signature before looking at the timestamp', async () => {
    const body = sdkBody();
    await rejected('invalid_signature', body, standard(body, { ts: NOW_S - 10_000, secret: OTHER_SECRET }));
  });

  it.each(['svix-id', 'svix-timestamp', 'svix-signature'])('a message missing %s', async (name) => {
    const body = sdkBody();
    const h = standard(body);
    delete h[name];
    await rejected('missing_headers', body, h);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('a message missing %s', async (name) => {
    const body = sdkBody();
    const h = standard(body, { family: 'webhook' });
    delete h[name];
    await rejected('missing_headers', body, h);
  });

  it('a message with no signature headers at all, and an OFAuth-Signature without t=', async () => {
    const body = sdkBody();
    await rejected('missing_headers', body, {});
    await rejected('missing_headers', body, new Headers({ 'content-type': 'application/json' }));
    await rejected('missing_headers', body, { 'OFAuth-Signature': `v1=${ofauthSig(body)}` });
  });

  it('signature headers with no v1 entry or a malformed timestamp', async () => {
    const body = sdkBody();
    const h = standard(body);
    await rejected('invalid_signature', body, { ...h, 'svix-signature': 'v2,abc' });
    await rejected('invalid_signature', body, { ...h, 'svix-timestamp': '17e8' });
    await rejected('invalid_signature', body, { 'OFAuth-Signature': `t=${NOW_S}` });
    await rejected('invalid_signature', body, { 'OFAuth-Signature': `t=soon,v1=${ofauthSig(body)}` });
  });

  it.each([
    ['an empty secret', ''],
    ['a secret that is not base64', 'whsec_not*base64!'],
    ['a bare prefix', 'whsec_'],
    ['a truncated base64 secret', 'whsec_abcde'],
  ])('%s as a malformed secret', async (_label, secret) => {
    const body = sdkBody();
    await rejected('invalid_secret', body, standard(body), secret);
  });

  it('an empty list of secrets', async () => {
    const body = sdkBody();
    await rejected('invalid_secret', body, standard(body), []);
  });

  it.each([
    ['a non-JSON body', 'connection.created for conn_abc123'],
    ['a JSON array', '[1,2]'],
    ['JSON without a type', JSON.stringify({ data: {} })],
    ['a type that is not a string', JSON.stringify({ type: 7, data: {} })],
    [
      'type and eventType that disagree',
      JSON.stringify({ type: 'connection.created', eventType: 'x', data: {} }),
    ],
    [
      'a connection event without a connection',
      JSON.stringify({ eventType: 'connection.created', data: {} }),
    ],
    [
      'a connection without an id',
      JSON.stringify({ eventType: 'connection.created', data: { connection: { status: 'active' } } }),
    ],
    [
      'a connection with a wrong field type',
      JSON.stringify({
        eventType: 'connection.created',
        data: { connection: { ...connection, imported: 'no' } },
      }),
    ],
    [
      'a timestamp that is not a date',
      JSON.stringify({ type: 'rules.updated', timestamp: 'yesterday', data: {} }),
    ],
    [
      'a live flag that is not a boolean',
      JSON.stringify({ eventType: 'rules.updated', live: 'yes', data: {} }),
    ],
  ])('%s (signed correctly) as invalid_payload', async (_label, body) => {
    await rejected('invalid_payload', body, standard(body));
  });

  it('a signed body that is not UTF-8', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const id = 'msg_bin';
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const sig = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`${id}.${NOW_S}.`), bytes]))
      .digest('base64');
    await rejected('invalid_payload', bytes, {
      'svix-id': id,
      'svix-timestamp': String(NOW_S),
      'svix-signature': `v1,${sig}`,
    });
  });
});
