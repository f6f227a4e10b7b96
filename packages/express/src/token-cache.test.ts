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
