import { describe, expect, it } from 'vitest';
import { createTokenCache, type CachedToken } from './token-cache.ts';

const entry = (keyFingerprint = 'k1'): CachedToken => ({ claims: { exp: 1 }, validFrom: 0, validUntil: 1, keyFingerprint });

describe('token cache', () => {
  it('stays bounded and keeps recently used tokens', () => {
    const cache = createTokenCache(4);
    cache.set('hot', entry());
    for (let i = 0; i < 50; i++) {
      cache.set(`t${i}`, entry());
      expect(cache.get('hot')).toBeDefined();
      expect(cache.size).toBeLessThanOrEqual(5);
    }
    expect(cache.get('t0')).toBeUndefined();
  });

  it('evicts the tokens of removed keys only', () => {
    const cache = createTokenCache(10);
    cache.set('a', entry('k1'));
    cache.set('b', entry('k2'));
    cache.evictKeys(new Set(['k1']));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });
});

describe('token cache keying', () => {
  it('never answers for a different token that shares the cached token tail', () => {
    const cache = createTokenCache(10);
    const tail = 'S'.repeat(43);
    cache.set(`header.payload.${tail}`, entry());
    expect(cache.get(`header.payload.${tail}`)).toBeDefined();
    expect(cache.get(`header.FORGED.${tail}`)).toBeUndefined();
    cache.delete(`header.FORGED.${tail}`);
    expect(cache.get(`header.payload.${tail}`)).toBeDefined();
  });

  it('keeps one of two tokens that share a tail: the other is a miss, never a wrong answer', () => {
    const cache = createTokenCache(10);
    cache.set('first.token.SAMEtail', entry('k1'));
    cache.set('other.token.SAMEtail', entry('k2'));
    expect(cache.get('first.token.SAMEtail')).toBeUndefined();
    expect(cache.get('other.token.SAMEtail')?.keyFingerprint).toBe('k2');
    expect(cache.size).toBe(1);
  });
});

describe('token cache hot lookup', () => {
  const windowed = (validFrom: number, validUntil: number): CachedToken => ({
    claims: { sub: 'u1', exp: 1 },
    validFrom,
    validUntil,
    keyFingerprint: 'k1',
  });

  it('answers only inside the window: from validFrom, up to but not at validUntil', () => {
    const cache = createTokenCache(10);
    cache.set('a.b.c', windowed(1_000, 2_000));
    expect(cache.hit('a.b.c', 999)).toBeUndefined();
    expect(cache.hit('a.b.c', 1_000)).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.hit('a.b.c', 1_999)).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.hit('a.b.c', 2_000)).toBeUndefined();
    expect(cache.hit('x.b.c', 1_500)).toBeUndefined();
  });

  it('leaves the old generation to get(), which promotes it', () => {
    const cache = createTokenCache(4); // two generations of two
    cache.set('aging', windowed(0, 10));
    cache.set('t1', windowed(0, 10));
    cache.set('t2', windowed(0, 10));
    expect(cache.hit('aging', 5)).toBeUndefined();
    expect(cache.get('aging')?.claims).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.hit('aging', 5)).toEqual({ sub: 'u1', exp: 1 });
  });

  it('keys credentials shorter than the six-character tail', () => {
    const cache = createTokenCache(10);
    for (const credential of ['', 'a', 'ab', 'abcde']) cache.set(credential, windowed(0, 10));
    for (const credential of ['', 'a', 'ab', 'abcde']) expect(cache.hit(credential, 5)).toEqual({ sub: 'u1', exp: 1 });
    expect(cache.hit('abcd', 5)).toBeUndefined();
  });
});
