// What an attacker posts, as data the test sends to the attacker's page: each message as it is, except
// the recipes below, which the attacker's page builds there (large payloads never cross the wire).
//   { $: 'big', size }            → 'x' repeated `size` times
//   { $: 'bytes', size }          → a Uint8Array of `size` bytes
//   { $: 'nested', depth, event } → `depth` OFAUTH_LINK messages of `event`, each the next one's metadata
//   { $: 'fill', length }         → an array of `length` empty objects
//   { $: 'json', text }           → JSON.parse(text): keys such as `__proto__` stay own keys
//   { $: 'undefined' }            → undefined

/** The relay an attack echoes: the attempt the app is running. */
export type Relay = { id: string; nonce: string } | null;

const MB = 1024 * 1024;
const big = { $: 'big', size: 4 * MB };
const user = { id: 'u_evil', name: 'Mallory', username: 'mallory', avatar: null };

/** A v4 success of the hosted page carrying connection `id`. */
const success = (id: string, phishUrl: string, extra: Record<string, unknown> = {}) => ({
  type: 'OFAUTH_LINK',
  event: 'success',
  metadata: { successUrl: phishUrl, redirect: false, connection: { id, userData: user }, user, ...extra },
});

/** Well-formed Link messages and a relay, from a window or frame that is not the Link page. */
export function forged(relay: Relay, phishUrl: string): unknown[] {
  return [
    success('conn_evil', phishUrl),
    success('conn_evil_redirect', phishUrl, { redirect: true, successUrl: phishUrl }),
    { type: 'OFAUTH_LINK', event: 'success', connection: { id: 'conn_evil_flat' }, user }, // pre-v4 shape
    { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'user_exit', step: 'login' } },
    { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'error', error: { error_type: 'pwned' } } },
    { type: 'OFAUTH_LINK', event: 'invalid_session' },
    { type: 'OFAUTH_LINK', event: 'close' },
    { type: 'OFAUTH_LINK', event: 'loaded' },
    ...(relay
      ? [
          {
            type: 'OFLINK_RELAY',
            id: relay.id,
            nonce: relay.nonce,
            outcome: { status: 'success', connectionId: 'conn_evil_relay' },
          },
        ]
      : []),
  ];
}

/** Values of the wrong type or shape, and relays missing a part. */
export function malformed(relay: Relay, phishUrl: string): unknown[] {
  const relayed = { type: 'OFLINK_RELAY', id: relay?.id, nonce: relay?.nonce };
  return [
    null,
    { $: 'undefined' },
    42,
    'OFAUTH_LINK',
    '{"type":"OFAUTH_LINK","event":"success","metadata":{"connection":{"id":"conn_evil_string"}}}',
    [],
    [success('conn_evil_in_array', phishUrl)],
    {},
    { type: 'OFAUTH_LINK' },
    { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { scenarios: 'everything' } },
    { type: 'OFAUTH_LINK', event: 'SUCCESS', metadata: { connection: { id: 'conn_evil_case' } } },
    { type: 'ofauth_link', event: 'success', metadata: { connection: { id: 'conn_evil_case' } } },
    { type: 'OFLINK_RELAY' },
    { ...relayed, nonce: 42, outcome: { status: 'success', connectionId: 'c' } },
    { ...relayed, outcome: 'success' },
    { ...relayed, outcome: { status: 'success' } },
    { ...relayed, outcome: { status: 'pwned' } },
  ];
}

/**
 * From the Link frame itself these end the flow, as in OFAuth's own library: an exit of any shape,
 * and a success without a usable connection id (an error, never a success).
 */
export function ending(): unknown[] {
  return [
    { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: ['conn_evil'] } } },
    { type: 'OFAUTH_LINK', event: 'success', metadata: { connection: { id: 'conn.evil:1' } } },
    { type: 'OFAUTH_LINK', event: 'success', metadata: { junk: big } },
    { $: 'nested', depth: 300, event: 'success' },
    {
      $: 'json',
      text: '{"type":"OFAUTH_LINK","event":"success","__proto__":{"metadata":{"connection":{"id":"conn_evil_proto"}}}}',
    },
    { type: 'OFAUTH_LINK', event: 'exit', metadata: { type: 'teleport' } },
  ];
}

/** Payloads too large or too deep to read. */
export function oversized(): unknown[] {
  return [
    big,
    { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { junk: big, scenarios: [{ id: big }] } },
    { type: 'OFAUTH_LINK', event: big },
    { type: 'OFAUTH_LINK', event: 'sandbox_info', metadata: { scenarios: { $: 'fill', length: 200_000 } } },
    { $: 'nested', depth: 300, event: 'sandbox_info' },
    { type: 'OFLINK_RELAY', id: big, nonce: big, outcome: { status: 'success', connectionId: big } },
    { $: 'bytes', size: 8 * MB },
  ];
}
