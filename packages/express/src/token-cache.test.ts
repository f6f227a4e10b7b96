import { describe, expect, it } from 'vitest';
import { createTokenCache, type CachedToken } from './token-cache.ts';

const entry = (keyFingerprint = 'k1', from = 0, until = 10): CachedToken => ({
  claims: { sub: 'u1', exp: 1 },
  window: { from, until },
  keyFingerprint,
});

describe('token cache', () => {
  it('stays bounded and keeps recently used tokens', () => {
    const cache = createTokenCache(4);
    cache.set('hot', entry());
    for (let i = 0; i < 50; i++) {
      cache.set(`t${i}`, entry());
      expect(cache.get('hot', 5)).toBeDefined();
      expect(cache.size).toBeLessThanOrEqual(5);
    }
    expect(cache.get('t0', 5)).toBeUndefined();
  });

  it('evicts the tokens of removed keys only', () => {
    const cache = createTokenCache(10);
    cache.set('a', entry('k1'));
    cache.set('b', entry('k2'));
    cache.evictKeys(new Set(['k1']));
    expect(cache.get('a', 5)).toBeUndefined();
    expect(cache.get('b', 5)).toBeDefined();
  });

  it('never answers for a different token, however much of it matches a cached one', () => {
    const cache = createTokenCache(10);
    const tail = 'S'.repeat(43);
    cache.set(`header.payload.${tail}`, entry('k1'));
    cache.set(`other.payload.${tail}`, entry('k2'));
    expect(cache.get(`header.payload.${tail}`, 5)).toBeDefined();
    expect(cache.get(`header.FORGED.${tail}`, 5)).toBeUndefined();
    expect(cache.get(`header.payload.${tail}x`, 5)).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('answers only inside the window: from its start, up to but not at its end, and forgets an expired token', () => {
    const cache = createTokenCache(10);
    cache.set('a.b.c', entry('k1', 1_000, 2_000));
    expect(cache.get('a.b.c', 999)).toBeUndefined();
    expect(cache.get('a.b.c', 1_000)).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.get('a.b.c', 1_999)).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.get('a.b.c', 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('moves a hit in the old generation back to the current one', () => {
    const cache = createTokenCache(4); // two generations of two
    cache.set('aging', entry());
    cache.set('t1', entry());
    cache.set('t2', entry()); // 'aging' and 't1' are now the old generation
    expect(cache.get('aging', 5)).toEqual({ sub: 'u1', exp: 1 });
    cache.set('t3', entry()); // the current generation ('t2', 'aging') is full: it ages, 't1' goes
    cache.set('t4', entry());
    expect(cache.get('t1', 5)).toBeUndefined();
    expect(cache.get('aging', 5)).toBeDefined();
  });
});
