import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyServer, makeKey, sign, ISSUER, AUDIENCE, type TestKey } from '../test/support.ts';
import { createVerifier, InvalidTokenError, type AccessTokenVerifier } from './index.ts';

let key: TestKey;
let jwks: Awaited<ReturnType<typeof keyServer>>;
let verify: AccessTokenVerifier;

beforeAll(async () => {
  key = await makeKey('EdDSA');
  jwks = await keyServer([key]);
  verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url });
});
afterAll(() => jwks.close());

describe('createVerifier', () => {
  it('resolves the claims of a valid token, loading the key set once', async () => {
    const token = await sign(key, { sub: 'ws-user' });
    await expect(verify(token)).resolves.toMatchObject({ sub: 'ws-user', iss: ISSUER });
    await expect(verify(token)).resolves.toMatchObject({ sub: 'ws-user' });
    expect(jwks.requests).toBe(1);
  });

  it('rejects bad tokens with InvalidTokenError and a stable reason, never throwing synchronously', async () => {
    const expired = await sign(key, { exp: Math.floor(Date.now() / 1000) - 60 });
    for (const [token, reason] of [['x', 'token_malformed'], [expired, 'token_expired'], [`${expired}.x`, 'token_malformed']] as const) {
      const error = await verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).reason).toBe(reason);
    }
    await expect(verify(42 as never)).rejects.toThrow(TypeError);
  });

  it('trusts a header it checked only under its own options (the header memo is per verifier)', async () => {
    const token = await sign(key, { sub: 'memo' });
    await expect(verify(token)).resolves.toMatchObject({ sub: 'memo' });
    // Same header bytes, verifiers with other rules: each decides for itself.
    const rsaOnly = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, algorithms: ['RS256'] });
    const jwtTyp = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, typ: 'jwt' });
    for (let i = 0; i < 2; i++) {
      expect(((await rsaOnly(token).catch((e: unknown) => e)) as InvalidTokenError).reason).toBe('alg_not_allowed');
      expect(((await jwtTyp(token).catch((e: unknown) => e)) as InvalidTokenError).reason).toBe('typ_invalid');
    }
    // A token with a known header but a forged payload still needs its own signature.
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9e9 })).toString('base64url')}.${signature}`;
    expect(((await verify(forged).catch((e: unknown) => e)) as InvalidTokenError).reason).toBe('signature_invalid');
  });

  it('refuses bad options at setup', () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: '' })).toThrow(TypeError);
  });
});
