import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now, jwksMaxAge: 300, accessTtl: 900 });
});
afterAll(() => t?.close());

/**
 * The strictest client there is: it caches the JWKS for exactly the server's max-age and never
 * refetches early, not even for an unknown kid. If rotation is staged right, it still never fails.
 */
function strictCachingVerifier() {
  let cached: { jwks: JSONWebKeySet; until: number } | undefined;
  let fetches = 0;
  return {
    get fetches() {
      return fetches;
    },
    async verify(token: string) {
      if (!cached || now().getTime() >= cached.until) {
        const res = await request(`${t.url}/.well-known/jwks.json`);
        const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1]);
        cached = { jwks: res.body, until: now().getTime() + maxAge * 1000 };
        fetches++;
      }
      return jwtVerify(token, createLocalJWKSet(cached.jwks), { issuer: t.url, audience: 'sigil', currentDate: now() });
    },
  };
}

describe('signing-key rotation with a cached JWKS', () => {
  it('a client caching the JWKS for max-age never fails across a staged rotation', async () => {
    const verifier = strictCachingVerifier();
    const user = await signup(t.url);
    let refreshToken = user.refresh_token;
    const oldKid = decodeProtectedHeader(user.access_token).kid!;
    await verifier.verify(user.access_token);

    const kidsSeen = new Set<string>();
    let rotatedKid: string | undefined;
    const failures: string[] = [];
    // 25 fake minutes in 20 s steps: past the publish lead (max-age + 60 s) and the old key's last token.
    for (let step = 0; step < 75; step++) {
      offsetMs += 20_000;
      if (step === 1) rotatedKid = (await t.server.keys.rotate()).kid;
      const res = await request(`${t.url}/auth/refresh`, { body: { refresh_token: refreshToken } });
      expect(res.status).toBe(200);
      refreshToken = res.body.refresh_token;
      kidsSeen.add(decodeProtectedHeader(res.body.access_token).kid!);
      try {
        await verifier.verify(res.body.access_token);
      } catch (error) {
        failures.push(`step ${step}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(kidsSeen).toEqual(new Set([oldKid, rotatedKid]));
    expect(verifier.fetches).toBeGreaterThan(1);

    // The old key stays published until its last token expired (+ skew), then leaves the JWKS.
    const jwks = (await request(`${t.url}/.well-known/jwks.json`)).body as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotatedKid]);
  });

  it('a revoked key leaves the JWKS at once and its tokens are refused by the server', async () => {
    const user = await signup(t.url);
    const kid = decodeProtectedHeader(user.access_token).kid!;
    await t.server.keys.rotate({ immediate: true });
    expect(await t.server.keys.revoke(kid)).toBe(true);
    const jwks = (await request(`${t.url}/.well-known/jwks.json`)).body as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).not.toContain(kid);
    const me = await request(`${t.url}/auth/me`, { headers: { authorization: `Bearer ${user.access_token}` } });
    expect(me.status).toBe(401);
    // New tokens are signed by the remaining key.
    const next = await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } });
    expect(decodeProtectedHeader(next.body.access_token).kid).not.toBe(kid);
  });
});
