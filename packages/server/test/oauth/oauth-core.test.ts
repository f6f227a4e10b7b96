import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../helpers/auth-server.ts';
import { startTestServer, type TestServer } from '../helpers/auth-server.ts';
import { authorize, pkcePair, tokenRequest } from './flow.ts';

const REDIRECT = 'http://127.0.0.1:4200/auth/callback';

describe('OAuth authorization code flow on the hosted pages', () => {
  let t: TestServer;
  let email: string;
  beforeAll(async () => {
    t = await startTestServer();
    email = uniqueEmail();
    await t.server.createUser({ email, password: PASSWORD, name: 'Ada' });
    await t.server.clients.seed({ clientId: 'first', name: 'First', redirectUris: [REDIRECT], firstParty: true });
    await t.server.clients.seed({ clientId: 'third', name: 'Third <b>', redirectUris: [REDIRECT] });
  });
  afterAll(() => t.close());

  it('signs in, exchanges the code with PKCE, refreshes with rotation', async () => {
    const { verifier, challenge } = pkcePair();
    const { location } = await authorize({
      issuer: t.url,
      clientId: 'first',
      redirectUri: REDIRECT,
      email,
      password: PASSWORD,
      state: 's1',
      nonce: 'n1',
      codeChallenge: challenge,
    });
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('s1');
    expect(location.searchParams.get('iss')).toBe(t.url);
    const code = location.searchParams.get('code')!;
    const exchanged = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: 'first',
    });
    expect(exchanged.status).toBe(200);
    const idToken = decodeJwt(exchanged.body.id_token as string);
    expect(idToken).toMatchObject({ iss: t.url, aud: 'first', nonce: 'n1', email, name: 'Ada', amr: ['pwd'] });
    const access = decodeJwt(exchanged.body.access_token as string);
    expect(access).toMatchObject({ client_id: 'first', aud: 'sigil', scope: 'openid profile email offline_access', sid: idToken.sid });

    const refreshed = await tokenRequest(t.url, {
      grant_type: 'refresh_token',
      refresh_token: exchanged.body.refresh_token as string,
      client_id: 'first',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);

    const replay = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: 'first',
    });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const afterReplay = await tokenRequest(t.url, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token as string,
      client_id: 'first',
    });
    expect(afterReplay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('asks a third-party client for consent, once, and escapes its name', async () => {
    const first = await authorize({ issuer: t.url, clientId: 'third', redirectUri: REDIRECT, email, password: PASSWORD });
    expect(first.pages.at(-1)).toContain('Third &lt;b&gt;');
    expect(first.location.searchParams.get('code')).toBeTruthy();
    const again = await authorize({ issuer: t.url, clientId: 'third', redirectUri: REDIRECT, email, password: PASSWORD });
    expect(again.pages).toHaveLength(1);
    const denied = await authorize({
      issuer: t.url,
      clientId: 'third',
      redirectUri: REDIRECT,
      email,
      password: PASSWORD,
      consent: 'deny',
      extra: { prompt: 'consent' },
      state: 'x',
    });
    expect(denied.location.searchParams.get('error')).toBe('access_denied');
    expect(denied.location.searchParams.get('state')).toBe('x');
  });

  it('never redirects to an unregistered redirect_uri, and refuses plain PKCE at the redirect URI', async () => {
    const bad = await fetch(
      `${t.url}/oauth/authorize?response_type=code&client_id=first&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/evil')}&code_challenge=x&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    const plain = await fetch(
      `${t.url}/oauth/authorize?response_type=code&client_id=first&redirect_uri=${encodeURIComponent(REDIRECT)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain&state=q`,
      { redirect: 'manual' },
    );
    expect(plain.status).toBe(303);
    const location = new URL(plain.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('q');
  });

  it("gives a third-party client's access token no roles, and user claims only by scope", async () => {
    const admin = uniqueEmail();
    await t.server.createUser({ email: admin, password: PASSWORD, name: 'Root', roles: ['admin'] });
    const tokensOf = async (clientId: string, scope: string) => {
      const { verifier, challenge } = pkcePair();
      const { location } = await authorize({
        issuer: t.url,
        clientId,
        redirectUri: REDIRECT,
        email: admin,
        password: PASSWORD,
        scope,
        codeChallenge: challenge,
      });
      const code = location.searchParams.get('code')!;
      const res = await tokenRequest(t.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: clientId,
      });
      return decodeJwt(res.body.access_token as string);
    };
    const thirdParty = await tokensOf('third', 'openid profile');
    expect(thirdParty).toMatchObject({ name: 'Root', scope: 'openid profile' });
    expect(thirdParty.roles).toBeUndefined();
    expect(thirdParty.email).toBeUndefined();
    const firstParty = await tokensOf('first', 'openid email');
    expect(firstParty).toMatchObject({ email: admin, roles: ['admin'] });
    expect(firstParty.name).toBeUndefined();
  });

  it('lists the OAuth endpoints in discovery', async () => {
    const doc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      token_endpoint: `${t.url}/oauth/token`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
  });
});

describe('the per-IP budget on the OAuth endpoints', () => {
  it('counts userinfo, logout, token and authorize requests, and answers 429 with Retry-After', async () => {
    const limited = await startTestServer({ ipRequestsPerMinute: 2 });
    try {
      for (const path of ['/oauth/logout', '/oauth/userinfo']) expect((await fetch(`${limited.url}${path}`)).status).not.toBe(429);
      const logout = await fetch(`${limited.url}/oauth/logout`);
      expect(logout.status).toBe(429);
      expect(logout.headers.get('retry-after')).toMatch(/^\d+$/);
      const token = await tokenRequest(limited.url, { grant_type: 'client_credentials' });
      expect(token).toMatchObject({ status: 429, body: { error: 'invalid_request' } });
      expect((await fetch(`${limited.url}/oauth/authorize?client_id=x`, { redirect: 'manual' })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
