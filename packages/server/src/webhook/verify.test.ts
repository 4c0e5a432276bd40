// verifyWebhook accepting authentic messages of both schemes and envelopes, read into one shape.
import { createHmac } from 'node:crypto';
import { messageIdAt } from '@oflink/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  connection,
  DOCS_TIME,
  docsBody,
  NOW,
  NOW_S,
  OLD_SECRET,
  ofauth,
  ofauthSig,
  SECRET,
  sdkBody,
  standard,
  verifyCases,
} from '../../test/webhookMessages';
import type { WebhookEvent } from './events';
import { createWebhookHandler } from './handler';
import { verifyWebhook } from './verify';

const { accepted, rejected } = verifyCases(
  'server-webhooks',
  'verifyWebhook cases accepted/rejected correctly',
);

describe('verifyWebhook accepts authentic messages', () => {
  it('verifies svix-* headers signed by standardwebhooks and normalizes the sdk envelope', async () => {
    const body = sdkBody();
    const event = await accepted(body, standard(body));
    expect(event).toEqual({
      id: 'msg_2Yh7',
      type: 'connection.created',
      timestamp: new Date(NOW).toISOString(),
      timeSource: 'signature',
      live: false,
      scheme: 'standard',
      data: { connection, clientReferenceId: 'user_42' },
    });
  });

  it('verifies webhook-* headers and normalizes the docs envelope, keeping its timestamp', async () => {
    const body = docsBody();
    const event = await accepted(body, standard(body, { family: 'webhook', id: 'msg_docs' }));
    expect(event).toEqual({
      id: 'msg_docs',
      type: 'connection.updated',
      timestamp: DOCS_TIME,
      timeSource: 'event',
      scheme: 'standard',
      data: { connection, clientReferenceId: 'user_42' },
    });
    expect(event).not.toHaveProperty('live');
  });

  it.each(['hex', 'base64'] as const)('verifies OFAuth-Signature with a %s signature', async (encoding) => {
    const body = sdkBody('connection.expired');
    const event = await accepted(body, ofauth(body, NOW_S, SECRET, encoding));
    expect(event.type).toBe('connection.expired');
    expect(event.scheme).toBe('ofauth');
    expect(event.id).toMatch(/^ofauth_[0-9a-f]{32}$/);
  });

  it('derives the same OFAuth message id for a retry signed at another time, and another id for another body', async () => {
    const body = docsBody('connection.disconnected');
    const first = await accepted(body, ofauth(body, NOW_S - 100));
    const retry = await accepted(body, ofauth(body, NOW_S));
    const other = await accepted(docsBody('connection.expired'), ofauth(docsBody('connection.expired')));
    expect(retry.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(first.timestamp).toBe(DOCS_TIME);
  });

  it('under OFAuth-Signature, two identical bodies without a time of their own are two messages (an expiry after an expiry)', async () => {
    const body = sdkBody('connection.expired');
    const first = await accepted(body, ofauth(body, NOW_S - 100));
    const again = await accepted(body, ofauth(body, NOW_S));
    expect(again.id).not.toBe(first.id);
    expect([first.timeSource, again.timeSource]).toEqual(['signature', 'signature']);
  });

  it("dates an SDK-envelope event by its Svix message id, which a retry keeps, not by the retry's signed time", async () => {
    const body = sdkBody('connection.expired');
    const made = NOW - 3_600_000;
    const id = messageIdAt(made);
    const retry = await accepted(body, standard(body, { id, ts: NOW_S }));
    expect(retry.timeSource).toBe('message_id');
    expect(Math.abs(Date.parse(retry.timestamp) - made)).toBeLessThanOrEqual(4);
  });

  it('never dates an event later than its signed time plus the tolerance (a body dated 2100 cannot freeze a record)', async () => {
    const body = JSON.stringify({
      type: 'connection.updated',
      timestamp: '2100-01-01T00:00:00.000Z',
      data: { connection },
    });
    const event = await accepted(body, standard(body));
    expect(event.timestamp).toBe(new Date(NOW + 300_000).toISOString());
    const id = messageIdAt(Date.UTC(2100, 0, 1));
    const byId = await accepted(sdkBody(), standard(sdkBody(), { id }));
    expect([byId.timeSource, byId.timestamp]).toEqual(['signature', new Date(NOW).toISOString()]);
  });

  it('accepts a Uint8Array body', async () => {
    const body = sdkBody();
    const event = await accepted(new TextEncoder().encode(body), standard(body));
    expect(event.type).toBe('connection.created');
  });

  it('accepts a Fetch Headers object and plain objects with any header case', async () => {
    const body = sdkBody();
    const h = standard(body);
    await accepted(body, new Headers(h));
    const shouty = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    await accepted(body, shouty);
    await accepted(body, new Headers(ofauth(body)));
    await accepted(body, { 'ofauth-signature': ofauth(body)['OFAuth-Signature'] });
  });

  it('passes when one of several v1 signatures matches (and ignores other versions)', async () => {
    const body = sdkBody();
    const h = standard(body);
    const good = h['svix-signature'] as string;
    const bogus = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    await accepted(body, { ...h, 'svix-signature': `${bogus} v2,${good.slice(3)} ${good}` });
    await accepted(body, {
      'OFAuth-Signature': `t=${NOW_S},v1=${'ab'.repeat(32)},v1=${ofauthSig(body)}`,
    });
  });

  it('accepts either secret during a rotation, for both schemes', async () => {
    const body = sdkBody();
    await accepted(body, standard(body, { secret: OLD_SECRET }), [SECRET, OLD_SECRET]);
    await accepted(body, standard(body, { secret: SECRET }), [SECRET, OLD_SECRET]);
    await accepted(body, ofauth(body, NOW_S, OLD_SECRET), [SECRET, OLD_SECRET]);
    await rejected('invalid_signature', body, standard(body, { secret: OLD_SECRET }), [SECRET]);
  });

  it('accepts signatures sent as several header lines (joined by ", ")', async () => {
    const body = sdkBody();
    const h = standard(body);
    const headers = new Headers({ 'svix-id': h['svix-id'] as string, 'svix-timestamp': String(NOW_S) });
    headers.append('svix-signature', `v1,${Buffer.alloc(32, 1).toString('base64')}`);
    headers.append('svix-signature', h['svix-signature'] as string);
    expect(headers.get('svix-signature')).toContain(', v1,');
    await accepted(body, headers);
  });

  it('verifies the timestamp exactly as sent (a leading zero is part of the signed content)', async () => {
    const body = sdkBody();
    const ts = `0${NOW_S}`;
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const sig = createHmac('sha256', key).update(`msg_zero.${ts}.${body}`).digest('base64');
    await accepted(body, { 'svix-id': 'msg_zero', 'svix-timestamp': ts, 'svix-signature': `v1,${sig}` });
    await rejected('invalid_signature', body, {
      'svix-id': 'msg_zero',
      'svix-timestamp': String(NOW_S),
      'svix-signature': `v1,${sig}`,
    });
  });

  it('refuses a secret without the whsec_ prefix, saying what is wrong (never a silent 401 on every delivery)', async () => {
    const body = sdkBody();
    await expect(verifyWebhook(body, standard(body), SECRET.slice(6))).rejects.toMatchObject({
      code: 'invalid_secret',
      message: expect.stringContaining('must start with "whsec_"'),
    });
    expect(() => createWebhookHandler({ secret: SECRET.slice(6), on: {} })).toThrow(
      /must start with "whsec_"/,
    );
  });

  it('accepts timestamps exactly at the tolerance in both directions', async () => {
    const body = sdkBody();
    await accepted(body, standard(body, { ts: NOW_S - 300 }));
    await accepted(body, standard(body, { ts: NOW_S + 300 }));
  });

  it('types the event as a union narrowed by type, with a typed fallback for unknown types', async () => {
    const rules = await accepted(
      JSON.stringify({ eventType: 'rules.updated', data: { rules: [1] } }),
      standard(JSON.stringify({ eventType: 'rules.updated', data: { rules: [1] } })),
    );
    expect(rules).toMatchObject({ type: 'rules.updated', data: { rules: [1] } });
    const futureBody = JSON.stringify({ type: 'connection.renamed', data: { x: 1 } });
    const future: WebhookEvent = await accepted(futureBody, standard(futureBody));
    expect(future).toMatchObject({ type: 'unknown', unknownType: 'connection.renamed', data: { x: 1 } });
    if (future.type === 'unknown') expectTypeOf(future.unknownType).toEqualTypeOf<string>();
    const created: WebhookEvent = await accepted(sdkBody(), standard(sdkBody()));
    if (created.type === 'connection.created') {
      expectTypeOf(created.data.connection.id).toEqualTypeOf<string>();
      expectTypeOf(created.data.clientReferenceId).toEqualTypeOf<string | null>();
    }
  });

  it('falls back to the connection clientReferenceId, and null when there is none', async () => {
    const body = sdkBody('connection.updated', { connection: { id: 'conn_x', status: 'active' } });
    const event = await accepted(body, standard(body));
    expect(event.data).toEqual({ connection: { id: 'conn_x', status: 'active' }, clientReferenceId: null });
    const body2 = sdkBody('connection.updated', { connection });
    expect((await accepted(body2, standard(body2))).data).toMatchObject({ clientReferenceId: 'user_42' });
  });
});

describe('verifyWebhook reads both connection shapes into one', () => {
  // `data.connection` as OFAuth's TypeScript, Python and Go SDKs type it (PROTOCOL.md §7)
  const sdkConnection = {
    id: 'conn_abc123',
    platformUserId: '42',
    status: 'active',
    userData: { userId: '42', name: 'Ana', username: 'ana', avatar: 'https://cdn.example/ana.png' },
    permissions: ['profile:read'],
  };

  it('reads the SDK shape: userData.userId becomes userData.id, platformUserId is kept', async () => {
    const body = sdkBody('connection.created', { connection: sdkConnection, clientReferenceId: 'user_42' });
    const event = await accepted(body, standard(body));
    expect(event.type === 'connection.created' && event.data).toEqual({
      clientReferenceId: 'user_42',
      connection: {
        id: 'conn_abc123',
        platformUserId: '42',
        status: 'active',
        userData: { id: '42', name: 'Ana', username: 'ana', avatar: 'https://cdn.example/ana.png' },
        permissions: ['profile:read'],
      },
    });
  });

  it('reads a numeric platform user id and a null name', async () => {
    const connection = {
      ...sdkConnection,
      platformUserId: 42,
      userData: { ...sdkConnection.userData, userId: 42, name: null },
    };
    const body = sdkBody('connection.updated', { connection, clientReferenceId: 'user_42' });
    const event = await accepted(body, standard(body));
    expect(event.type === 'connection.updated' && event.data.connection).toMatchObject({
      platformUserId: '42',
      userData: { id: '42', name: null, username: 'ana' },
    });
  });

  it('reads connection.expired carrying only id, platformUserId and status', async () => {
    const connection = { id: 'conn_abc123', platformUserId: '42', status: 'expired' };
    const body = sdkBody('connection.expired', { connection, clientReferenceId: 'user_42' });
    const event = await accepted(body, standard(body));
    expect(event.type === 'connection.expired' && event.data).toEqual({
      clientReferenceId: 'user_42',
      connection,
    });
  });

  it('reads the list shape into the same fields (userData.id, no platformUserId invented)', async () => {
    const body = sdkBody();
    const event = await accepted(body, standard(body));
    expect(event.type === 'connection.created' && event.data.connection).toEqual(connection);
  });

  it('types rules.updated as {rules, revision}', async () => {
    const body = JSON.stringify({
      eventType: 'rules.updated',
      live: false,
      data: { rules: [{ id: 'r1' }], revision: 3 },
    });
    const event = await accepted(body, standard(body));
    expect(event.type === 'rules.updated' && event.data.revision).toBe(3);
    if (event.type === 'rules.updated')
      expectTypeOf(event.data.revision).toEqualTypeOf<number | string | undefined>();
  });

  it.each([
    ['a userData without a username', { ...sdkConnection, userData: { userId: '42', name: 'Ana' } }],
    ['a platformUserId that is an object', { ...sdkConnection, platformUserId: { id: 42 } }],
  ])('refuses %s as invalid_payload', async (_, conn) => {
    const body = sdkBody('connection.created', { connection: conn, clientReferenceId: 'user_42' });
    await rejected('invalid_payload', body, standard(body));
  });
});
