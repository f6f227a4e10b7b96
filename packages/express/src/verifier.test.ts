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
    for (const [token, reason] of [
      ['x', 'token_malformed'],
      [expired, 'token_expired'],
      [`${expired}.x`, 'token_malformed'],
    ] as const) {
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

  it('accepts one spelling of a token only: no other string with the same signed bytes or signature passes', async () => {
    const token = await sign(key, { sub: 'spelling', name: 'eeee' });
    const cacheless = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, tokenCache: false });
    await expect(cacheless(token)).resolves.toMatchObject({ sub: 'spelling' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const at = (segment: string, pattern: RegExp) => segment.search(pattern);
    // U+0100 + c encodes to the byte of c in latin1: the signed bytes would stay the same.
    const widened = (segment: string, i: number) =>
      `${segment.slice(0, i)}${String.fromCharCode(segment.charCodeAt(i) + 0x100)}${segment.slice(i + 1)}`;
    const sigUrlChar = at(signature, /[-_]/);
    const variants: Array<[string, string, string]> = [
      ['a wide character standing for a payload character', `${header}.${widened(payload, 5)}.${signature}`, 'token_malformed'],
      ['a Latin-1 character in the payload', `${header}.${payload.slice(0, 5)}\u00e9${payload.slice(6)}.${signature}`, 'token_malformed'],
      ['a wide character in the header', `${widened(header, 3)}.${payload}.${signature}`, 'token_malformed'],
      ['standard base64 characters in the header', `${header.slice(0, -1)}+.${payload}.${signature}`, 'token_malformed'],
      ['padding after the signature', `${header}.${payload}.${signature}==`, 'token_malformed'],
      [
        'a non-base64 character in the signature',
        `${header}.${payload}.${signature.slice(0, 9)}*${signature.slice(10)}`,
        'token_malformed',
      ],
      ['a wide character in the signature', `${header}.${payload}.${widened(signature, 9)}`, 'token_malformed'],
      [
        'a non-base64 character in the payload',
        `${header}.${payload.slice(0, 9)}*${payload.slice(10)}`.concat(`.${signature}`),
        'signature_invalid',
      ],
      ['an empty header', `.${payload}.${signature}`, 'token_malformed'],
      ['an empty payload', `${header}..${signature}`, 'token_malformed'],
      ['an empty signature', `${header}.${payload}.`, 'token_malformed'],
    ];
    if (sigUrlChar >= 0) {
      const standard = signature[sigUrlChar] === '-' ? '+' : '/';
      variants.push([
        'the standard base64 spelling of the signature',
        `${header}.${payload}.${signature.slice(0, sigUrlChar)}${standard}${signature.slice(sigUrlChar + 1)}`,
        'token_malformed',
      ]);
    }
    for (const [name, variant, reason] of variants) {
      for (const check of [verify, cacheless]) {
        const error = await check(variant).catch((e: unknown) => e);
        expect(error, name).toBeInstanceOf(InvalidTokenError);
        expect((error as InvalidTokenError).reason, name).toBe(reason);
      }
    }
  });

  it('refuses bad options at setup', () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: '' })).toThrow(TypeError);
  });
});
