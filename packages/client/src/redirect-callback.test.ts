import { describe, expect, it } from 'vitest';
import type { Discovery } from './discovery.ts';
import { SigilClientError } from './errors.ts';
import { checkedIdToken, jwtClaims, userFromClaims } from './id-token.ts';
import { memoryStorage } from './memory-storage.ts';
import { pendingLoginStore, type PendingLogin } from './pending-login.ts';
import { base64url } from './pkce.ts';
import { callbackCode } from './redirect-callback.ts';

const ISSUER = 'https://auth.example.com';
const DISCOVERY: Discovery = {
  issuer: ISSUER,
  authorizationEndpoint: `${ISSUER}/oauth/authorize`,
  tokenEndpoint: `${ISSUER}/oauth/token`,
  revocationEndpoint: `${ISSUER}/oauth/revoke`,
  endSessionEndpoint: `${ISSUER}/oauth/logout`,
  issParameterSupported: true,
};
const PENDING: PendingLogin = {
  state: 's-1',
  codeVerifier: 'v'.repeat(43),
  nonce: 'n-1',
  redirectUri: 'https://app.example.com/cb',
  returnTo: '/x',
};
const callback = (query: string) => new URL(`https://app.example.com/cb?${query}`);
const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as SigilClientError;
  }
  throw new Error('it did not throw');
};

describe('the callback (state, RFC 9207 iss, errors)', () => {
  it("returns the code of this tab's answer from this issuer", () => {
    expect(callbackCode(callback(`code=c-1&state=s-1&iss=${encodeURIComponent(ISSUER)}`), PENDING, DISCOVERY)).toBe('c-1');
  });

  it('refuses another state, a missing one, or no pending sign-in with state_mismatch', () => {
    for (const [query, pending] of [
      [`code=c&state=s-2&iss=${ISSUER}`, PENDING],
      [`code=c&iss=${ISSUER}`, PENDING],
      [`code=c&state=s-1&iss=${ISSUER}`, undefined],
    ] as const) {
      expect(failure(() => callbackCode(callback(query), pending, DISCOVERY))).toMatchObject({ code: 'state_mismatch' });
    }
  });

  it('checks the state before reading an error: a forged error is refused as forged', () => {
    expect(failure(() => callbackCode(callback(`error=access_denied&state=forged&iss=${ISSUER}`), PENDING, DISCOVERY))).toMatchObject({
      code: 'state_mismatch',
    });
  });

  it('refuses another issuer, and a missing iss when the server promises one (mix-up)', () => {
    expect(failure(() => callbackCode(callback('code=c&state=s-1&iss=https://evil.example'), PENDING, DISCOVERY))).toMatchObject({
      code: 'issuer_mismatch',
    });
    expect(failure(() => callbackCode(callback('code=c&state=s-1'), PENDING, DISCOVERY))).toMatchObject({ code: 'issuer_mismatch' });
    // A server that does not promise iss may leave it out.
    expect(callbackCode(callback('code=c&state=s-1'), PENDING, { ...DISCOVERY, issParameterSupported: false })).toBe('c');
  });

  it('turns an error answer into its OAuth code with the description as detail', () => {
    const error = failure(() =>
      callbackCode(callback(`error=access_denied&error_description=The+user+said+no&state=s-1&iss=${ISSUER}`), PENDING, DISCOVERY),
    );
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({ code: 'access_denied', detail: 'The user said no' });
    expect(failure(() => callbackCode(callback(`error=login_required&state=s-1&iss=${ISSUER}`), PENDING, DISCOVERY))).toMatchObject({
      code: 'login_required',
    });
    // A code this client does not know is still an error, never a success.
    expect(failure(() => callbackCode(callback(`error=brand_new&state=s-1&iss=${ISSUER}`), PENDING, DISCOVERY))).toMatchObject({
      code: 'invalid_request',
    });
  });

  it('refuses an answer with neither code nor error', () => {
    expect(failure(() => callbackCode(callback(`state=s-1&iss=${ISSUER}`), PENDING, DISCOVERY))).toMatchObject({ code: 'invalid_request' });
  });
});

describe('the pending sign-in', () => {
  it('is taken once: a second read (a reloaded callback page) finds nothing', () => {
    const store = pendingLoginStore(memoryStorage(), 'k');
    store.save(PENDING);
    expect(store.take()).toEqual(PENDING);
    expect(store.take()).toBeUndefined();
  });

  it('reads corrupt or foreign data as nothing pending', () => {
    const storage = memoryStorage();
    const store = pendingLoginStore(storage, 'k');
    for (const raw of ['{', '[]', JSON.stringify({ ...PENDING, state: 3 }), JSON.stringify({ state: 's' })]) {
      storage.setItem('k', raw);
      expect(store.take()).toBeUndefined();
    }
  });

  it('refuses to start a sign-in it could not check, where there is no store (SSR)', () => {
    expect(() => pendingLoginStore(undefined, 'k').save(PENDING)).toThrow(TypeError);
  });
});

/** An unsigned JWT with `claims` (the checks under test do not read the signature). */
const jwt = (claims: object) =>
  `${base64url(new TextEncoder().encode('{"alg":"RS256"}'))}.${base64url(new TextEncoder().encode(JSON.stringify(claims)))}.sig`;
const ID = { iss: ISSUER, aud: 'app', sub: 'user-1', nonce: 'n-1', email: 'ann@example.com', email_verified: true, name: 'Ann' };

describe('the ID token (OpenID Connect Core 3.1.3.7)', () => {
  const expected = { issuer: ISSUER, clientId: 'app', nonce: 'n-1' };

  it("accepts this sign-in's token and reads the user, with the access token's roles", () => {
    const claims = checkedIdToken(jwt(ID), expected);
    expect(userFromClaims(claims, jwt({ roles: ['admin', 7] }))).toEqual({
      id: 'user-1',
      email: 'ann@example.com',
      name: 'Ann',
      roles: ['admin'],
      emailVerified: true,
    });
    expect(userFromClaims({ sub: 'u' }, 'opaque')).toEqual({ id: 'u', email: '', name: null, roles: [], emailVerified: false });
  });

  it('refuses another issuer, audience, nonce or user, and what is not a JWT', () => {
    for (const token of [
      jwt({ ...ID, iss: 'https://other.example' }),
      jwt({ ...ID, aud: 'other-app' }),
      jwt({ ...ID, aud: ['app', 'other'] }), // several audiences need azp = this client
      jwt({ ...ID, nonce: 'n-2' }),
      jwt({ ...ID, nonce: undefined }),
      jwt({ ...ID, sub: '' }),
      'not-a-jwt',
      `a.${base64url(new TextEncoder().encode('[1]'))}.c`,
    ]) {
      expect(failure(() => checkedIdToken(token, expected))).toMatchObject({ code: 'invalid_id_token' });
    }
    expect(checkedIdToken(jwt({ ...ID, aud: ['app', 'other'], azp: 'app' }), expected)['sub']).toBe('user-1');
    expect(failure(() => checkedIdToken(jwt(ID), { issuer: ISSUER, clientId: 'app', sub: 'user-2' }))).toMatchObject({
      code: 'invalid_id_token',
    });
  });

  it('decodes base64url payloads with UTF-8 text and no padding', () => {
    expect(jwtClaims(jwt({ name: 'Zoë 🦊' }))).toEqual({ name: 'Zoë 🦊' });
    expect(jwtClaims(undefined)).toBeUndefined();
  });
});
