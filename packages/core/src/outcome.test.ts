import { parseLinkMessage } from '@oflink/protocol';
import { describe, expect, it } from 'vitest';
import { exitOutcome, successOutcome } from './outcome';

const exitOf = (metadata?: unknown) => {
  const m = parseLinkMessage({ type: 'OFAUTH_LINK', event: 'exit', metadata });
  if (m?.event !== 'exit') throw new Error('not an exit');
  return exitOutcome(m.exit);
};

describe('exitOutcome', () => {
  it.each([
    [
      { type: 'user_exit', step: 'login', error: null },
      { status: 'cancelled', step: 'login', reason: 'user' },
    ],
    [
      { type: 'user_exit', step: 'success', error: null },
      { status: 'cancelled', step: 'success', reason: 'user' },
    ],
    [
      { type: 'forced_exit', error: null },
      { status: 'cancelled', reason: 'forced' },
    ],
    [
      { type: 'approval', step: 'pre-login', error: null },
      { status: 'cancelled', step: 'pre-login', reason: 'user', exitType: 'approval' },
    ],
    [
      { type: 'error', step: 'error', error: { error_type: 'account_locked', error_message: 'Locked.' } },
      { status: 'error', code: 'account_locked', message: 'Locked.' },
    ],
    [
      { type: 'error', error: null },
      { status: 'error', code: 'link_error', message: 'The Link flow failed.' },
    ],
    [undefined, { status: 'cancelled', reason: 'user' }],
  ])('ends the attempt for %j', (metadata, outcome) => {
    expect(exitOf(metadata)).toEqual(outcome);
  });
});

describe('successOutcome', () => {
  it('is an unconfirmed success with the user', () => {
    const user = { id: '1', name: null, username: 'ada', avatar: null };
    expect(successOutcome({ event: 'success', connectionId: 'conn_1', user, redirect: false })).toEqual({
      status: 'success',
      connectionId: 'conn_1',
      user,
      confirmed: false,
    });
  });

  it('fails without a valid connection id (nothing could confirm it)', () => {
    expect(successOutcome({ event: 'success', redirect: false })).toMatchObject({
      status: 'error',
      code: 'invalid_connection_id',
    });
  });
});
