import { describe, expect, it } from 'vitest';
import type { SigningKeyRecord } from '../storage/signing-keys.ts';
import { resolveTimeline } from './timeline.ts';

const T = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
const TTL = 900; // seconds
const GRACE = TTL * 1000 + 60_000;

function key(kid: string, fields: { created: number; activates?: number; retired?: number; revoked?: number }): SigningKeyRecord {
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC' },
    privateKey: '{}',
    encrypted: false,
    createdAt: new Date(fields.created),
    activatesAt: new Date(fields.activates ?? fields.created),
    retiredAt: fields.retired === undefined ? null : new Date(fields.retired),
    revokedAt: fields.revoked === undefined ? null : new Date(fields.revoked),
  };
}

const at = (ms: number) => new Date(ms);
const kidsOf = (records: SigningKeyRecord[]) => records.map((record) => record.kid);

describe('resolveTimeline', () => {
  it('has no signing key when there are no keys', () => {
    const state = resolveTimeline([], at(T), TTL);
    expect(state.signing).toBeUndefined();
    expect(state.published).toEqual([]);
    expect(state.infos).toEqual([]);
  });

  it('signs with the newest activated key, publishes the staged one, retires the older one', () => {
    const records = [key('a', { created: T }), key('b', { created: T + MIN, activates: T + 7 * MIN })];
    const before = resolveTimeline(records, at(T + 7 * MIN - 1), TTL);
    expect(before.signing?.kid).toBe('a');
    expect(kidsOf(before.pending)).toEqual(['b']);
    expect(kidsOf(before.published)).toEqual(['a', 'b']);
    expect(before.unrecordedRetirements).toEqual([]);

    const after = resolveTimeline(records, at(T + 7 * MIN), TTL);
    expect(after.signing?.kid).toBe('b');
    expect(after.pending).toEqual([]);
    expect(after.unrecordedRetirements).toEqual([{ kid: 'a', retiredAt: at(T + 7 * MIN) }]);
    expect(after.infos.map((info) => [info.kid, info.state, info.retiredAt, info.publishedUntil])).toEqual([
      ['a', 'retired', at(T + 7 * MIN), at(T + 7 * MIN + GRACE)],
      ['b', 'active', null, null],
    ]);
    expect(kidsOf(resolveTimeline(records, at(T + 7 * MIN + GRACE - 1), TTL).published)).toEqual(['a', 'b']);
    expect(kidsOf(resolveTimeline(records, at(T + 7 * MIN + GRACE), TTL).published)).toEqual(['b']);
  });

  it('retires each key at the activation of the next one, not of the newest', () => {
    const records = [
      key('a', { created: T }),
      key('b', { created: T + MIN, activates: T + 2 * MIN }),
      key('c', { created: T + 3 * MIN, activates: T + 4 * MIN }),
    ];
    const state = resolveTimeline(records, at(T + 5 * MIN), TTL);
    expect(state.signing?.kid).toBe('c');
    expect(state.unrecordedRetirements).toEqual([
      { kid: 'a', retiredAt: at(T + 2 * MIN) },
      { kid: 'b', retiredAt: at(T + 4 * MIN) },
    ]);
  });

  it('prefers the stored retiredAt and never signs with a retired key', () => {
    const records = [key('a', { created: T, retired: T + MIN }), key('b', { created: T + MIN, revoked: T + 2 * MIN })];
    const state = resolveTimeline(records, at(T + 3 * MIN), TTL);
    // b was revoked without a replacement and a stays retired: the manager must create a key.
    expect(state.signing).toBeUndefined();
    expect(state.infos.map((info) => [info.kid, info.state, info.publishedUntil])).toEqual([
      ['a', 'retired', at(T + MIN + GRACE)],
      ['b', 'revoked', at(T + 2 * MIN)],
    ]);
    expect(kidsOf(state.published)).toEqual(['a']);
  });

  it('drops revoked keys from signing and publication at once', () => {
    const records = [key('a', { created: T }), key('b', { created: T + MIN, revoked: T + 2 * MIN })];
    const state = resolveTimeline(records, at(T + 2 * MIN), TTL);
    expect(state.signing?.kid).toBe('a');
    expect(kidsOf(state.published)).toEqual(['a']);
    expect(state.unrecordedRetirements).toEqual([]);
  });

  it('orders keys activating at the same instant by creation time', () => {
    const records = [key('z', { created: T }), key('a', { created: T + 1, activates: T })];
    expect(resolveTimeline(records, at(T), TTL).signing?.kid).toBe('a');
    expect(resolveTimeline([...records].reverse(), at(T), TTL).signing?.kid).toBe('a');
  });
});
