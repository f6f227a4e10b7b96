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

  it('refuses bad options at setup', () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: '' })).toThrow(TypeError);
  });
});
