import { describe, expect, it } from 'vitest';
import { messageIdAt, messageIdTime } from './messageId';

describe('message ids that carry their time (Svix msg_ KSUIDs)', () => {
  it.each([Date.UTC(2026, 0, 1), Date.UTC(2026, 10, 1, 12, 0, 0, 500), 1_400_000_000_000])(
    'reads back the time it was made at (%i), to the 4 ms of its fraction byte',
    (ms) => {
      const id = messageIdAt(ms);
      expect(id).toMatch(/^msg_[0-9A-Za-z]{27}$/);
      expect(Math.abs((messageIdTime(id) ?? 0) - ms)).toBeLessThanOrEqual(4);
    },
  );

  it("reads a KSUID made elsewhere (Segment's example: 2017-10-10 04:00:47 UTC)", () => {
    const ms = messageIdTime('msg_0ujtsYcgvSTl8PAuAdqWYSMnLOv') ?? 0;
    expect(new Date(ms).toISOString().slice(0, 19)).toBe('2017-10-10T04:00:47');
  });

  it('sorts as the times do: a later message has a later id', () => {
    const ids = [0, 8, 2_000, 90_000].map((d) => messageIdAt(Date.UTC(2026, 5, 1) + d));
    expect([...ids].sort()).toEqual(ids);
  });

  it.each([
    'msg_1',
    'msg_2Yh7',
    'msg_zzzzzzzzzzzzzzzzzzzzzzzzzzz',
    'evt_0ujtsYcgvSTl8PAuAdqWYSMnLOv',
    'ofauth_abc',
  ])('reads no time from %s', (id) => {
    expect(messageIdTime(id)).toBeNull();
  });
});
