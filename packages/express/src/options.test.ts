import { describe, expect, it } from 'vitest';
import { requireAuth, type RequireAuthOptions } from './index.ts';
import { resolveOptions } from './options.ts';

const base = { issuer: 'https://issuer.test', audience: 'sigil' };

describe('requireAuth options', () => {
  it.each<[string, Partial<RequireAuthOptions> & Record<string, unknown>]>([
    ['no issuer', { issuer: '' }],
    ['no audience', { audience: [] }],
    ['secret and jwksUri together', { secret: 'x'.repeat(32), jwksUri: 'https://issuer.test/jwks' }],
    ['a short secret', { secret: 'too short' }],
    ['HS256 with a key set', { algorithms: ['HS256'] }],
    ['RS256 with a secret', { secret: 'x'.repeat(32), algorithms: ['RS256'] }],
    ['alg none', { algorithms: ['none' as never] }],
    ['an empty allow-list', { algorithms: [] }],
    ['a non-URL issuer without jwksUri', { issuer: 'my-issuer' }],
    ['a non-http jwksUri', { jwksUri: 'file:///etc/jwks.json' }],
    ['a negative clock tolerance', { clockTolerance: -1 }],
    ['a zero maxTokenLength', { maxTokenLength: 0 }],
    ['a bad tokenCache', { tokenCache: 'yes' as never }],
    ['a bad typ', { typ: '' }],
    ['a bad onError', { onError: 'throw' as never }],
    ['a quote in realm', { realm: 'a"b' }],
    ['a logger without warn', { logger: {} as never }],
    ['a zero timeout', { jwks: { timeout: 0 } }],
  ])('throws TypeError at setup for %s', (_name, override) => {
    expect(() => requireAuth({ ...base, ...override } as RequireAuthOptions)).toThrow(TypeError);
  });

  it('resolves defaults with ?? so an explicit undefined keeps them, and freezes the result', () => {
    const resolved = resolveOptions({ ...base, clockTolerance: undefined, algorithms: undefined, tokenCache: undefined });
    expect(resolved.clockToleranceMs).toBe(5_000);
    expect([...resolved.algorithms]).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(resolved.tokenCacheMaxEntries).toBe(1_000);
    expect(resolved.keySource).toEqual({
      kind: 'remote',
      jwksUri: undefined,
      discoveryUri: 'https://issuer.test/.well-known/openid-configuration',
    });
    expect(resolved.typ).toBe('at+jwt');
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveOptions({ ...base, secret: 'x'.repeat(32) }).algorithms.has('HS256')).toBe(true);
    expect(resolveOptions({ ...base, tokenCache: false }).tokenCacheMaxEntries).toBe(0);
    expect(resolveOptions({ ...base, typ: 'application/JWT' }).typ).toBe('jwt');
  });

  it('accepts a non-URL issuer when jwksUri is given', () => {
    expect(() => requireAuth({ issuer: 'my-issuer', audience: 'a', jwksUri: 'http://127.0.0.1:1/jwks' })).not.toThrow();
  });
});
