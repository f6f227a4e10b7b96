import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

// No Sigil code in the verification path: only what other stacks use.
describe.each(['RS256', 'ES256', 'EdDSA'] as const)('%s access tokens verify with third-party libraries', (alg) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ alg });
    servers.push(t);
  });

  it('jose createRemoteJWKSet + jwtVerify, and jwks-rsa + jsonwebtoken', async () => {
    const { access_token } = await signup(t.url);
    const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, {
      issuer: t.url,
      audience: 'sigil',
      typ: 'at+jwt',
      algorithms: [alg],
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(payload.email).toMatch(/@example\.com$/);

    if (alg === 'EdDSA') return; // jsonwebtoken has no EdDSA support
    const client = jwksRsa({ jwksUri: `${t.url}/.well-known/jwks.json` });
    const key = await client.getSigningKey(protectedHeader.kid);
    const verified = jwt.verify(access_token, key.getPublicKey(), {
      algorithms: [alg as jwt.Algorithm],
      issuer: t.url,
      audience: 'sigil',
    }) as jwt.JwtPayload;
    expect(verified.sub).toBe(payload.sub);
  });
});

describe('HS256 shared-secret mode', () => {
  it('tokens verify with jsonwebtoken and the shared secret; the JWKS publishes nothing', async () => {
    const secret = 'pQ3v9Xr2Lk8sWm4Tz7Yb1Nc6Hd0Fg5JaEuRiOyBt';
    const t = await startTestServer({ alg: 'HS256', hs256Secret: secret });
    servers.push(t);
    const { access_token } = await signup(t.url);
    const verified = jwt.verify(access_token, secret, { algorithms: ['HS256'], issuer: t.url, audience: 'sigil' }) as jwt.JwtPayload;
    expect(verified.scope).toBe('openid profile email');
    const jwks = await (await fetch(`${t.url}/.well-known/jwks.json`)).json();
    expect(jwks).toEqual({ keys: [] });
  });

  it('refuses to start with a short or repetitive secret', async () => {
    await expect(startTestServer({ alg: 'HS256', hs256Secret: 'too-short' })).rejects.toThrow(/at least 32/);
    await expect(startTestServer({ alg: 'HS256', hs256Secret: 'a'.repeat(64) })).rejects.toThrow(/at least 32 random bytes/);
    await expect(startTestServer({ alg: 'HS256' })).rejects.toThrow(/hs256Secret/);
  });
});
