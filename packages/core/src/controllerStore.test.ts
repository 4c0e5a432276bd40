// The controller's side of the attempt interface: how an outcome an attempt concludes reaches the
// state, the attempt's UI and the app's callbacks, in that order, with a success confirmed first
// when the app asks for it.
import { describe, expect, it } from 'vitest';
import type { LinkControllerOptions } from './controller';
import { createStore } from './controllerStore';
import { manualSource } from './controllerTestKit';
import { LinkError } from './LinkError';
import type { LinkOutcome } from './types';

const SUCCESS: LinkOutcome = { status: 'success', connectionId: 'conn_1', confirmed: false };

function setup(options: LinkControllerOptions = {}) {
  const log: string[] = [];
  const opts: LinkControllerOptions = {
    onEvent: (e) => log.push(`event:${e.type}`),
    onSuccess: (o) => log.push(`onSuccess:${o.confirmed}`),
    onExit: (o) => log.push(`onExit:${o.status}`),
    onError: (e) => log.push(`onError:${e.code}`),
    ...options,
  };
  const store = createStore(() => opts, manualSource().source);
  store.subscribe(() => log.push(`state:${store.get().status}`));
  const conclude = (outcome: LinkOutcome, error?: LinkError) =>
    store.host.conclude(
      outcome,
      error,
      () => log.push('closeUi'),
      (final) => log.push(`afterwards:${final.status}`),
    );
  return { store, log, conclude };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('an outcome concluded by an attempt', () => {
  it('changes the state, then closes the UI, then tells the app, then runs what follows', () => {
    const { log, conclude } = setup();
    conclude(SUCCESS);
    expect(log).toEqual([
      'state:success',
      'closeUi',
      'event:success',
      'onSuccess:false',
      'afterwards:success',
    ]);
  });

  it('reports an error outcome with the attempt’s LinkError, or one made from its code', () => {
    const { store, log, conclude } = setup();
    const blocked = new LinkError('popup_blocked', 'The browser blocked the popup.');
    conclude({ status: 'error', code: 'popup_blocked', message: blocked.message }, blocked);
    expect(store.get().error).toBe(blocked);
    conclude({ status: 'error', code: 'account_locked', message: 'Locked.' });
    expect(store.get().error).toMatchObject({ code: 'account_locked', message: 'Locked.' });
    expect(log.filter((l) => l.startsWith('onError'))).toEqual([
      'onError:popup_blocked',
      'onError:account_locked',
    ]);
  });

  it('confirms a success with the app’s server first: confirming, the UI closed, then the confirmed success', async () => {
    const asked: string[] = [];
    const { store, log, conclude } = setup({
      confirm: async (id) => {
        asked.push(id);
      },
    });
    conclude(SUCCESS);
    expect(log).toEqual(['state:confirming', 'closeUi']);
    expect(store.running()).not.toBeNull();
    await settled();
    expect(asked).toEqual(['conn_1']);
    expect(log.slice(2)).toEqual(['state:success', 'event:success', 'onSuccess:true', 'afterwards:success']);
    expect(store.get().outcome).toEqual({ ...SUCCESS, confirmed: true });
    expect(store.running()).toBeNull();
  });

  it('turns a refused confirmation into an error outcome with the server’s code', async () => {
    const { store, log, conclude } = setup({
      confirm: async () => {
        throw new LinkError('connection_not_owned', 'Not yours.', 403);
      },
    });
    conclude(SUCCESS);
    await settled();
    expect(store.get().status).toBe('error');
    expect(log.slice(-3)).toEqual(['onExit:error', 'onError:connection_not_owned', 'afterwards:error']);
  });

  it('drops a confirmation that was stopped (unmounted) without telling the app anything', async () => {
    const { store, log, conclude } = setup({ confirm: async () => undefined });
    conclude(SUCCESS);
    store.running()?.stop();
    await settled();
    expect(log).toEqual(['state:confirming', 'closeUi']);
  });

  it('never confirms again what is already confirmed', () => {
    let asked = 0;
    const { log, conclude } = setup({
      confirm: async () => {
        asked++;
      },
    });
    conclude({ ...SUCCESS, confirmed: true });
    expect(asked).toBe(0);
    expect(log).toContain('onSuccess:true');
  });
});
