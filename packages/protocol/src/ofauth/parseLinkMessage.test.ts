// Each rule with the message shapes OFAuth's pages really send (PROTOCOL.md §3 and §7).
import { describe, expect, it } from 'vitest';
import { parseLinkMessage } from './parseLinkMessage';

const userData = { id: 'u1', name: 'Ada', username: 'ada', avatar: null };
const msg = (event: string, metadata?: unknown) =>
  metadata === undefined ? { type: 'OFAUTH_LINK', event } : { type: 'OFAUTH_LINK', event, metadata };

describe('success', () => {
  it('reads the v4 shape: connection, user and redirect instruction', () => {
    const metadata = {
      successUrl: 'https://app.example/done',
      redirect: true,
      connection: { id: 'conn_1', userData },
      user: userData,
    };
    expect(parseLinkMessage(msg('success', metadata))).toEqual({
      event: 'success',
      connectionId: 'conn_1',
      user: userData,
      successUrl: 'https://app.example/done',
      redirect: true,
    });
  });

  it('reads the flat pre-v4 shape', () => {
    const flat = {
      type: 'OFAUTH_LINK',
      event: 'success',
      successUrl: 'https://app.example/done',
      redirect: false,
      user: { ...userData, avatar: 'https://cdn.example/a.png' },
      connection: { id: 'conn_2' },
    };
    expect(parseLinkMessage(flat)).toEqual({
      event: 'success',
      connectionId: 'conn_2',
      user: { ...userData, avatar: 'https://cdn.example/a.png' },
      successUrl: 'https://app.example/done',
      redirect: false,
    });
  });

  it('reads the older shape with no connection object and `successURL`, taking the id from that URL', () => {
    const older = {
      type: 'OFAUTH_LINK',
      event: 'success',
      user: userData,
      successURL: 'https://app.example/cb?status=success&connection_id=conn_old1',
    };
    expect(parseLinkMessage(older)).toEqual({
      event: 'success',
      connectionId: 'conn_old1',
      user: userData,
      successUrl: 'https://app.example/cb?status=success&connection_id=conn_old1',
      redirect: false,
    });
  });

  it('keeps a user with a numeric id and a null name', () => {
    const user = { id: 123456, name: null, username: 'ada', avatar: null };
    const read = parseLinkMessage(
      msg('success', { redirect: false, connection: { id: 'conn_1', userData: user } }),
    );
    expect(read).toMatchObject({
      connectionId: 'conn_1',
      user: { id: '123456', name: null, username: 'ada' },
    });
  });

  it('drops only what is not valid: an avatar that is not an http(s) URL becomes null', () => {
    const user = { ...userData, avatar: 'javascript:alert(1)' };
    const read = parseLinkMessage(msg('success', { connection: { id: 'conn_1', userData: user } }));
    expect(read).toMatchObject({ user: { ...userData, avatar: null } });
  });

  it.each([
    ['an oversized connection id', 'conn_'.padEnd(10_000, 'c')],
    ['markup in the connection id', '<img src=x onerror=alert(1)>'],
    ['an empty connection id', ''],
    ['an id that is not conn_…', 'conn.a:1'],
    ['a number', 7],
  ])('reads a success with %s as a success without a connection id', (_, id) => {
    const read = parseLinkMessage(msg('success', { redirect: false, connection: { id } }));
    expect(read).toEqual({ event: 'success', redirect: false });
  });
});

describe('exit: every exit is an exit', () => {
  it.each([
    [
      { type: 'user_exit', step: 'login', error: null },
      { type: 'user_exit', step: 'login' },
    ],
    [
      { type: 'user_exit', step: 'success', error: null },
      { type: 'user_exit', step: 'success' },
    ],
    [
      { type: 'forced_exit', step: 'error', error: null },
      { type: 'forced_exit', step: 'error' },
    ],
    [
      { type: 'error', step: 'login', error: { error_type: 'account_locked', error_message: 'Locked.' } },
      { type: 'error', step: 'login', error: { code: 'account_locked', message: 'Locked.' } },
    ],
    [
      { type: 'approval', step: 'pre-login', error: null },
      { type: 'approval', step: 'pre-login' },
    ],
    [{ type: 'user_exit', step: 'checkout' }, { type: 'user_exit' }],
    [
      { type: 'error', error: { error_type: '<b>', error_message: 7 } },
      { type: 'error', error: {} },
    ],
    [{}, {}],
  ])('reads %j', (metadata, exit) => {
    expect(parseLinkMessage(msg('exit', metadata))).toEqual({ event: 'exit', exit });
  });

  it('reads an exit with no metadata, and the pre-v4 close, as a plain exit', () => {
    expect(parseLinkMessage(msg('exit'))).toEqual({ event: 'exit', exit: {} });
    expect(parseLinkMessage(msg('close'))).toEqual({ event: 'exit', exit: {} });
  });
});

describe('sandbox_info', () => {
  const good = { id: 'creator', accountType: 'creator', loginType: 'password', password: 'good-password' };
  const otp = {
    id: 'creator-otp',
    accountType: 'creator',
    loginType: 'app_otp',
    password: 'good-password',
    otpCode: '123456',
  };

  it('reads the scenarios, the active one and the one-time-code screen', () => {
    const metadata = { scenarios: [good, otp], activeScenarioId: 'creator-otp', currentScreen: 'otp' };
    expect(parseLinkMessage(msg('sandbox_info', metadata))).toEqual({
      event: 'sandbox_info',
      info: metadata,
    });
  });

  it('keeps the valid scenarios when one is odd', () => {
    const metadata = { scenarios: [good, { id: 1 }, 'x', otp], currentScreen: 'login' };
    expect(parseLinkMessage(msg('sandbox_info', metadata))).toEqual({
      event: 'sandbox_info',
      info: { scenarios: [good, otp], currentScreen: 'login' },
    });
  });

  it('bounds the list', () => {
    const metadata = { scenarios: Array.from({ length: 500 }, (_, i) => ({ ...good, id: `s${i}` })) };
    const read = parseLinkMessage(msg('sandbox_info', metadata));
    expect(read?.event === 'sandbox_info' && read.info.scenarios.length).toBe(20);
  });

  it('reads scenarios that are not a list as none', () => {
    expect(parseLinkMessage(msg('sandbox_info', { scenarios: 'x' }))).toEqual({
      event: 'sandbox_info',
      info: { scenarios: [] },
    });
  });
});

describe('anything else', () => {
  it('reads loaded and invalid_session', () => {
    expect(parseLinkMessage(msg('loaded'))).toEqual({ event: 'loaded' });
    expect(parseLinkMessage(msg('invalid_session'))).toEqual({ event: 'invalid_session' });
  });

  it.each([
    null,
    'OFAUTH_LINK',
    [],
    { type: 'OTHER', event: 'loaded' },
    { type: 'OFAUTH_LINK' },
    { type: 'OFAUTH_LINK', event: 'exit_requested' },
    { type: 'OFAUTH_LINK', event: 'sandbox_info' },
  ])('gives null for %j', (data) => {
    expect(parseLinkMessage(data)).toBeNull();
  });
});
