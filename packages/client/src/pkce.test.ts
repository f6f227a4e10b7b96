import { describe, expect, it } from 'vitest';
import { base64url, codeChallenge, randomToken } from './pkce.ts';

describe('PKCE and random values (WebCrypto)', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 256-bit base64url values, a valid verifier each time, never the same twice', () => {
    const values = Array.from({ length: 50 }, randomToken);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(values).size).toBe(values.length);
  });

  it('encodes base64url without padding (RFC 4648 5)', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64url(new Uint8Array([]))).toBe('');
  });

  it('names the missing WebCrypto (an insecure context) instead of failing obscurely', () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    Object.defineProperty(globalThis, 'crypto', { configurable: true, value: {} });
    try {
      expect(() => randomToken()).toThrow(/WebCrypto \(crypto\.subtle\)/);
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto);
    }
  });
});
