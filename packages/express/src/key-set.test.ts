import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { importKeySet, selectKey } from './key-set.ts';

describe('importKeySet', () => {
  it('keeps public signature keys only and says why others were skipped', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true });
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const set = importKeySet({
      keys: [
        { ...(await exportJWK(ec.privateKey)), kid: 'leaked-private', alg: 'ES256' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed', alg: 'EdDSA', use: 'sig' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric' },
        { ...(await exportJWK(ed.publicKey)), kid: 'enc', use: 'enc' },
        { kty: 'RSA', kid: 'broken', n: 'AQAB' },
        'not a key',
      ],
    });
    expect(set?.all.map((k) => k.kid)).toEqual(['leaked-private', 'ed']);
    expect(set?.byKid.get('leaked-private')?.key.type).toBe('public');
    expect(set?.skipped).toHaveLength(4);
    expect(importKeySet({ keys: 'x' })).toBeUndefined();
    expect(importKeySet(null)).toBeUndefined();
  });

  it('reuses keys it already imported instead of importing them again', async () => {
    const ec = await generateKeyPair('ES256');
    const body = { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'a', alg: 'ES256' }] };
    const first = importKeySet(body)!;
    const second = importKeySet(structuredClone(body), first)!;
    expect(second.byKid.get('a')).toBe(first.byKid.get('a'));
  });

  it('selects by kid and refuses a key that does not fit the algorithm', async () => {
    const ec = await generateKeyPair('ES256');
    const set = importKeySet({ keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'a', alg: 'ES256' }] })!;
    expect(selectKey(set, 'a', 'ES256')).toBe(set.byKid.get('a'));
    expect(selectKey(set, 'a', 'RS256')).toBe('mismatch');
    expect(selectKey(set, 'a', 'ES384')).toBe('mismatch');
    expect(selectKey(set, 'b', 'ES256')).toBeUndefined();
    expect(selectKey(set, undefined, 'ES256')).toBe(set.byKid.get('a'));
  });
});
