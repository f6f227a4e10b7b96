import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';

// The proof that Sigil is an OAuth 2.1 / OpenID Connect provider a real relying party can use:
// panva's openid-client (certified OpenID RP library) drives a real auth server on loopback.
// openid-client builds every request and validates every answer itself (discovery, the
// authorization response's `iss` and `state`, the ID token's claims and signature, userinfo's
// `sub`); only the user's part in between is played here, over HTTP, as a browser without
// JavaScript posts the hosted pages' forms.

const APP = 'http://127.0.0.1:4200';
const REDIRECT = `${APP}/auth/callback`;
/** Registered too, to show that a code is bound to the one redirect URI it was asked for. */
const OTHER_REDIRECT = `${APP}/other/callback`;
const POST_LOGOUT = `${APP}/`;
const BACKEND_REDIRECT = 'http://localhost:5000/callback';
const REPORTS_API = 'https://reports.example.com';
const SCOPE = 'openid profile email offline_access';
const TOTP_STEP_MS = 30_000;

/** The server's clock runs this far ahead of the real one (expired codes, the refresh grace window). */
let clockOffsetMs = 0;
let t: TestServer;
let ada: { id: string; email: string };
let spa: oidc.Configuration;
let portal: oidc.Configuration;
let backend: oidc.Configuration;
let backendId: string;
let backendSecret: string;

/** A relying party's view of Sigil, found through discovery alone. */
function discover(clientId: string, auth: oidc.ClientAuth = oidc.None()): Promise<oidc.Configuration> {
  // http is fine for a loopback issuer; the non-repudiation check makes openid-client verify
  // every ID token's signature against the discovered JWKS too, not only its claims.
  return oidc.discovery(new URL(t.url), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
  });
}

async function withClockAhead<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  clockOffsetMs += ms;
  try {
    return await fn();
  } finally {
    clockOffsetMs -= ms;
  }
}

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(Date.now() + clockOffsetMs) });
  const user = await t.server.createUser({ email: uniqueEmail(), password: PASSWORD, name: 'Ada Lovelace', emailVerified: true });
  ada = { id: user.id, email: user.email };
  const clients = t.server.clients;
  const { client: spaClient } = await clients.create({
    name: 'Lessons',
    firstParty: true,
    redirectUris: [REDIRECT, OTHER_REDIRECT],
    postLogoutRedirectUris: [POST_LOGOUT],
  });
  const { client: portalClient } = await clients.create({ name: 'Partner portal', redirectUris: [REDIRECT] });
  const created = await clients.create({
    name: 'Reports',
    confidential: true,
    redirectUris: [BACKEND_REDIRECT],
    resources: [REPORTS_API],
    scopes: ['reports:read'],
  });
  backendId = created.client.clientId;
  backendSecret = created.clientSecret!;
  [spa, portal, backend] = await Promise.all([
    discover(spaClient.clientId),
    discover(portalClient.clientId),
    discover(backendId, oidc.ClientSecretBasic(backendSecret)),
  ]);
});
afterAll(() => t?.close());

// ---------------------------------------------------------------------------------------------
// The user's part: a browser without JavaScript on the hosted pages.

interface User {
  email: string;
  password: string;
  /** Base32 TOTP secret: answers the second step with the code of the next step. */
  totpSecret?: string;
  /** The answer to a consent page. @default 'allow' */
  consent?: 'allow' | 'deny';
}

interface BrowserRun {
  /** Where the browser ended up: the client's redirect URI with the authorization response. */
  callback: URL;
  /** The hosted pages it saw, by the form they posted. */
  pages: Array<'login' | 'second step' | 'consent'>;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The hidden fields of the page's form posting to `action` that has a field named `marker`. */
function formOf(html: string, action: string, marker: string): Record<string, string> {
  for (const [, attributes, body] of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!attributes!.includes(`action="${action}"`) || !body!.includes(`name="${marker}"`)) continue;
    const fields: Record<string, string> = {};
    for (const [, name, value] of body!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[name!] = decodeEntities(value!);
    return fields;
  }
  throw new Error(`no form to ${action} with a ${marker} field in:\n${html}`);
}

/** Plays the user from the relying party's authorization URL to the redirect back to it. */
async function signIn(authorizationUrl: URL, user: User): Promise<BrowserRun> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
  };
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const post = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), origin: t.url },
      body: new URLSearchParams(fields),
    });
    keep(res);
    return { res, html: await res.text() };
  };
  const pages: BrowserRun['pages'] = [];

  const authorize = await fetch(authorizationUrl, { redirect: 'manual' });
  const toLogin = authorize.headers.get('location');
  if (authorize.status !== 303 || !toLogin) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  // An error the server could send back (bad PKCE, prompt=none...) goes straight to the client.
  if (!toLogin.startsWith('/login?')) return { callback: new URL(toLogin), pages };

  const login = await fetch(new URL(toLogin, t.url), { redirect: 'manual' });
  keep(login);
  const loginForm = formOf(await login.text(), '/login', 'password');
  pages.push('login');
  let step = await post('/login', { ...loginForm, email: user.email, password: user.password });

  if (step.res.status === 200 && step.html.includes('action="/login/mfa"')) {
    pages.push('second step');
    if (!user.totpSecret) throw new Error('the login asks for a second factor the user has not got');
    // The code of the next step: within the server's ±1 step window, and later than the step
    // enrolment used (each step counts once).
    const code = TOTP.generate({
      secret: Secret.fromBase32(user.totpSecret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      timestamp: Date.now() + clockOffsetMs + TOTP_STEP_MS,
    });
    step = await post('/login/mfa', { ...formOf(step.html, '/login/mfa', 'code'), code });
  }
  if (step.res.status === 200 && step.html.includes('action="/oauth/consent"')) {
    pages.push('consent');
    step = await post('/oauth/consent', { ...formOf(step.html, '/oauth/consent', 'consent'), decision: user.consent ?? 'allow' });
  }
  const location = step.res.headers.get('location');
  if (step.res.status !== 303 || !location) throw new Error(`the sign-in ended with ${step.res.status}: ${step.html}`);
  return { callback: new URL(location), pages };
}

// ---------------------------------------------------------------------------------------------
// The relying party's part.

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function startAuthorization(config: oidc.Configuration, parameters: Record<string, string> = {}): Promise<Started> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...parameters,
  });
  return { url, verifier, state, nonce };
}

function exchange(config: oidc.Configuration, started: Started, callback: URL) {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
    idTokenExpected: true,
  });
}

/** A whole sign-in of `user` through `config`'s client: the tokens, as openid-client validated them. */
async function signedIn(config: oidc.Configuration, user: User = { email: ada.email, password: PASSWORD }) {
  const started = await startAuthorization(config);
  const { callback } = await signIn(started.url, user);
  return exchange(config, started, callback);
}

/** The OAuth error of a refused token-endpoint (or revocation, introspection) request, as openid-client reports it. */
async function oauthError(attempt: Promise<unknown>): Promise<{ error: string; status: number; description?: string; headers: Headers }> {
  const failure = await attempt.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (error: unknown) => error,
  );
  if (failure instanceof oidc.WWWAuthenticateChallengeError) {
    // A refusal with a challenge (invalid_client after Basic) is reported by its challenge; the
    // OAuth error is still the body's.
    const body = (await failure.response.json()) as { error: string; error_description?: string };
    return {
      error: body.error,
      status: failure.status,
      ...(body.error_description !== undefined ? { description: body.error_description } : {}),
      headers: failure.response.headers,
    };
  }
  if (!(failure instanceof oidc.ResponseBodyError)) throw failure;
  return {
    error: failure.error,
    status: failure.status,
    ...(failure.error_description !== undefined ? { description: failure.error_description } : {}),
    headers: failure.response.headers,
  };
}

/** The error of an authorization response, as openid-client reports it when it processes the callback. */
async function authorizationError(attempt: Promise<unknown>): Promise<{ error: string; description?: string }> {
  const failure = await attempt.then(
    () => {
      throw new Error('expected an error response');
    },
    (error: unknown) => error,
  );
  if (!(failure instanceof oidc.AuthorizationResponseError)) throw failure;
  return { error: failure.error, ...(failure.error_description !== undefined ? { description: failure.error_description } : {}) };
}

/** GET without following redirects. */
async function visit(url: URL | string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type'), html: await res.text() };
}

// ---------------------------------------------------------------------------------------------

describe('openid-client against Sigil: discovery', () => {
  it('finds every endpoint and capability of the flows below, with the issuer it asked for', () => {
    const metadata = spa.serverMetadata();
    expect(metadata).toMatchObject({
      issuer: t.url,
      authorization_endpoint: `${t.url}/oauth/authorize`,
      token_endpoint: `${t.url}/oauth/token`,
      userinfo_endpoint: `${t.url}/oauth/userinfo`,
      revocation_endpoint: `${t.url}/oauth/revoke`,
      introspection_endpoint: `${t.url}/oauth/introspect`,
      end_session_endpoint: `${t.url}/oauth/logout`,
      jwks_uri: `${t.url}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    expect(spa.serverMetadata().supportsPKCE()).toBe(true);
  });
});

describe('openid-client against Sigil: the authorization code flow with PKCE', () => {
  let tokens: Awaited<ReturnType<typeof exchange>>;

  it('signs in on the hosted page (a first-party client: no consent) and gets tokens with an ID token openid-client validated', async () => {
    const started = await startAuthorization(spa, { max_age: '300' });
    const { callback, pages } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    expect(pages).toEqual(['login']);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(t.url);
    tokens = await oidc.authorizationCodeGrant(spa, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      maxAge: 300,
    });

    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe(SCOPE);
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: t.url,
      sub: ada.id,
      aud: spa.clientMetadata().client_id,
      nonce: started.nonce,
      email: ada.email,
      email_verified: true,
      name: 'Ada Lovelace',
      amr: ['pwd'],
    });
    expect(typeof claims.sid).toBe('string');
    expect(Math.abs(claims.auth_time! - Date.now() / 1000)).toBeLessThan(60);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: ada.id,
      client_id: spa.clientMetadata().client_id,
      scope: SCOPE,
      aud: 'sigil',
      sid: claims.sid,
    });
  });

  it('userinfo answers for the access token (openid-client checks its sub against the ID token)', async () => {
    const info = await oidc.fetchUserInfo(spa, tokens.access_token, tokens.claims()!.sub);
    expect(info).toEqual({ sub: ada.id, email: ada.email, email_verified: true, name: 'Ada Lovelace' });
    // Another subject is refused by openid-client itself.
    const mismatch = (await oidc
      .fetchUserInfo(spa, tokens.access_token, 'someone-else')
      .catch((error: unknown) => error)) as oidc.ClientError & {
      cause: { cause: { attribute: string } };
    };
    expect(mismatch).toBeInstanceOf(oidc.ClientError);
    expect(mismatch.code).toBe('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
    expect(mismatch.cause.cause.attribute).toBe('sub');
  });

  it('refresh rotates the refresh token and issues a new ID token of the same session; the used token after the grace window revokes the session', async () => {
    const first = tokens.refresh_token!;
    const refreshed = await oidc.refreshTokenGrant(spa, first);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.claims()).toMatchObject({ sub: ada.id, sid: tokens.claims()!.sid, amr: ['pwd'] });
    expect(refreshed.claims()!.nonce).toBeUndefined();
    // Within the grace window (a retried request) the used token yields the same successor.
    const retried = await oidc.refreshTokenGrant(spa, first);
    expect(retried.refresh_token).toBe(refreshed.refresh_token);

    await withClockAhead(11_000, async () => {
      expect(await oauthError(oidc.refreshTokenGrant(spa, first))).toMatchObject({ error: 'invalid_grant', status: 400 });
      // Reuse detection: the whole session is revoked, its newest refresh token too.
      expect(await oauthError(oidc.refreshTokenGrant(spa, refreshed.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
    });
    const userinfo = await fetch(`${t.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('a refresh token works only for the client it was issued to', async () => {
    const own = await signedIn(spa);
    const portalRefresh = await oauthError(oidc.refreshTokenGrant(portal, own.refresh_token!));
    expect(portalRefresh).toMatchObject({ error: 'invalid_grant', status: 400 });
    // Refused, not used up: the client it belongs to still refreshes with it.
    expect((await oidc.refreshTokenGrant(spa, own.refresh_token!)).access_token).toBeTruthy();
  });

  it('a user with TOTP answers the second step of the hosted page; the ID token says both factors', async () => {
    const email = uniqueEmail();
    await t.server.createUser({ email, password: PASSWORD, name: 'Grace Hopper', emailVerified: true });
    const login = await request(`${t.url}/auth/login`, { body: { email, password: PASSWORD } });
    const bearer = { authorization: `Bearer ${login.body.access_token}` };
    const enrolment = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer });
    const secret = enrolment.body.secret as string;
    const code = TOTP.generate({
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      timestamp: Date.now() + clockOffsetMs,
    });
    expect((await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer, body: { code } })).status).toBe(200);

    const started = await startAuthorization(spa);
    const { callback, pages } = await signIn(started.url, { email, password: PASSWORD, totpSecret: secret });
    expect(pages).toEqual(['login', 'second step']);
    const grace = await exchange(spa, started, callback);
    expect(grace.claims()).toMatchObject({ email, name: 'Grace Hopper', amr: ['pwd', 'otp', 'mfa'] });
    expect(decodeJwt(grace.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('openid-client against Sigil: a third-party client', () => {
  it('shows the consent page between the sign-in and the redirect; Allow releases the code, and is remembered', async () => {
    const started = await startAuthorization(portal);
    const { callback, pages } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    expect(pages).toEqual(['login', 'consent']);
    const tokens = await exchange(portal, started, callback);
    expect(tokens.claims()).toMatchObject({ sub: ada.id, aud: portal.clientMetadata().client_id });

    const again = await startAuthorization(portal);
    expect((await signIn(again.url, { email: ada.email, password: PASSWORD })).pages).toEqual(['login']);
  });

  it("its access token is no key to the account API (403 insufficient_scope); a first-party client's is", async () => {
    const thirdParty = await signedIn(portal);
    const firstParty = await signedIn(spa);
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/auth/sessions'],
      ['POST', '/auth/mfa/totp'],
      ['POST', '/auth/email/verification'],
    ] as const) {
      const refused = await request(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${thirdParty.access_token}` } });
      expectProblem(refused, 403, 'insufficient_scope');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm=".*", error="insufficient_scope"/);
    }
    const own = await request(`${t.url}/auth/sessions`, { headers: { authorization: `Bearer ${firstParty.access_token}` } });
    expect(own.status).toBe(200);
    // Nothing was started on the user's account by the refused calls (no pending TOTP enrolment).
    const factors = await request(`${t.url}/auth/mfa`, { headers: { authorization: `Bearer ${firstParty.access_token}` } });
    expect(factors.body).toMatchObject({ totp: 'off' });
  });

  it('Deny comes back as access_denied, with the state, which openid-client reports', async () => {
    const started = await startAuthorization(portal, { prompt: 'consent' });
    const { callback, pages } = await signIn(started.url, { email: ada.email, password: PASSWORD, consent: 'deny' });
    expect(pages).toEqual(['login', 'consent']);
    expect(await authorizationError(exchange(portal, started, callback))).toMatchObject({ error: 'access_denied' });
  });
});

describe('openid-client against Sigil: revocation, introspection, client credentials', () => {
  it('revoking the refresh token ends the session: no refresh, no userinfo', async () => {
    const tokens = await signedIn(spa);
    await oidc.tokenRevocation(spa, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(await oauthError(oidc.refreshTokenGrant(spa, tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
    const userinfo = await fetch(`${t.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    // Revoking again, or an unknown token, is the same 200 (RFC 7009 2.2).
    await oidc.tokenRevocation(spa, tokens.refresh_token!);
    await oidc.tokenRevocation(spa, 'not-a-token-of-this-server');
  });

  it('revoking an access token ends its session too; another client cannot revoke it', async () => {
    const tokens = await signedIn(spa);
    await oidc.tokenRevocation(portal, tokens.access_token, { token_type_hint: 'access_token' });
    await oidc.tokenRevocation(portal, tokens.refresh_token!);
    expect((await oidc.refreshTokenGrant(spa, tokens.refresh_token!)).access_token).toBeTruthy();

    const second = await signedIn(spa);
    await oidc.tokenRevocation(spa, second.access_token, { token_type_hint: 'access_token' });
    expect(await oauthError(oidc.refreshTokenGrant(spa, second.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
  });

  it('a confidential client (client_secret_basic) introspects access and refresh tokens; dead and unknown tokens are inactive', async () => {
    const started = await startAuthorization(backend, { redirect_uri: BACKEND_REDIRECT, resource: REPORTS_API });
    const { callback, pages } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    expect(pages).toEqual(['login', 'consent']);
    const tokens = await exchange(backend, started, callback);
    const sid = tokens.claims()!.sid;
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: REPORTS_API, client_id: backendId });

    const access = await oidc.tokenIntrospection(backend, tokens.access_token);
    expect(access).toMatchObject({
      active: true,
      token_type: 'access_token',
      client_id: backendId,
      sub: ada.id,
      scope: SCOPE,
      iss: t.url,
      aud: REPORTS_API,
      sid,
    });
    expect(access.exp! - access.iat!).toBeGreaterThan(0);
    const refresh = await oidc.tokenIntrospection(backend, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(refresh).toMatchObject({ active: true, token_type: 'refresh_token', client_id: backendId, sub: ada.id, sid });
    // A resource server sees the tokens of other clients too.
    const spaTokens = await signedIn(spa);
    expect(await oidc.tokenIntrospection(backend, spaTokens.access_token)).toMatchObject({
      active: true,
      client_id: spa.clientMetadata().client_id,
    });

    expect(await oidc.tokenIntrospection(backend, 'garbage')).toEqual({ active: false });
    await oidc.tokenRevocation(backend, tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(backend, tokens.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(backend, tokens.refresh_token!)).toEqual({ active: false });
  });

  it('a public client may not introspect: 401 invalid_client', async () => {
    const tokens = await signedIn(spa);
    expect(await oauthError(oidc.tokenIntrospection(spa, tokens.access_token))).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('client_credentials: a confidential client gets a token for itself (sub = its id, no session), signed with the published keys', async () => {
    const viaPost = await discover(backendId, oidc.ClientSecretPost(backendSecret));
    const granted = await oidc.clientCredentialsGrant(viaPost, { scope: 'reports:read', resource: REPORTS_API });
    expect(granted).toMatchObject({ token_type: 'bearer', scope: 'reports:read' });
    expect(granted.refresh_token).toBeUndefined();
    const { payload, protectedHeader } = await jwtVerify(
      granted.access_token,
      createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`)),
      {
        issuer: t.url,
        audience: REPORTS_API,
        typ: 'at+jwt',
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: backendId, client_id: backendId, scope: 'reports:read' });
    expect(payload.sid).toBeUndefined();
    expect(payload.email).toBeUndefined();
    expect(await oidc.tokenIntrospection(backend, granted.access_token)).toMatchObject({ active: true, sub: backendId });

    expect(await oauthError(oidc.clientCredentialsGrant(backend, { scope: 'reports:write' }))).toMatchObject({
      error: 'invalid_scope',
      status: 400,
    });
    expect(await oauthError(oidc.clientCredentialsGrant(backend, { resource: 'https://elsewhere.example.com' }))).toMatchObject({
      error: 'invalid_target',
      status: 400,
    });
    expect(await oauthError(oidc.clientCredentialsGrant(spa))).toMatchObject({ error: 'unauthorized_client', status: 400 });
  });

  it('a wrong client secret is 401 invalid_client, with a Basic challenge when Basic was used', async () => {
    const wrongBasic = await discover(backendId, oidc.ClientSecretBasic(`${backendSecret.slice(0, -1)}x`));
    const basic = await oauthError(oidc.clientCredentialsGrant(wrongBasic));
    expect(basic).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(basic.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrongPost = await discover(backendId, oidc.ClientSecretPost('not the secret'));
    const post = await oauthError(oidc.clientCredentialsGrant(wrongPost));
    expect(post).toMatchObject({ error: 'invalid_client', status: 401 });
    // A confidential client that sends no secret at all is refused the same way.
    const none = await discover(backendId, oidc.None());
    expect(await oauthError(oidc.clientCredentialsGrant(none))).toMatchObject({ error: 'invalid_client', status: 401 });
  });
});

describe('openid-client against Sigil: RP-initiated logout', () => {
  it('ends the session of the ID token and returns to the registered post-logout URI with the state', async () => {
    const tokens = await signedIn(spa);
    const state = oidc.randomState();
    const logout = oidc.buildEndSessionUrl(spa, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT, state });
    const answer = await visit(logout);
    expect(answer.status).toBe(303);
    const back = new URL(answer.location!);
    expect(back.origin + back.pathname).toBe(POST_LOGOUT);
    expect(back.searchParams.get('state')).toBe(state);
    expect(await oauthError(oidc.refreshTokenGrant(spa, tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
  });

  it('never redirects to an unregistered post_logout_redirect_uri: an HTML page, and the session stays', async () => {
    const tokens = await signedIn(spa);
    for (const uri of ['https://evil.example.com/', `${APP}/elsewhere`, REDIRECT]) {
      const answer = await visit(oidc.buildEndSessionUrl(spa, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri }));
      expect(answer.status, uri).toBe(400);
      expect(answer.location, uri).toBeNull();
      expect(answer.type).toMatch(/^text\/html/);
      expect(answer.html).toContain('post_logout_redirect_uri is not registered');
    }
    expect((await oidc.refreshTokenGrant(spa, tokens.refresh_token!)).access_token).toBeTruthy();
  });
});

describe('openid-client against Sigil: sessions', () => {
  it('a session started through OAuth is listed in GET /auth/sessions, and DELETE /auth/sessions/:id ends it', async () => {
    const tokens = await signedIn(spa);
    const sid = tokens.claims()!.sid as string;
    // The user's other session, from the JSON API, manages the devices.
    const api = await request(`${t.url}/auth/login`, { body: { email: ada.email, password: PASSWORD } });
    const bearer = { authorization: `Bearer ${api.body.access_token}` };
    const listed = await request(`${t.url}/auth/sessions`, { headers: bearer });
    expect(listed.status).toBe(200);
    const oauthSession = (listed.body.sessions as Array<{ id: string; current: boolean }>).find((s) => s.id === sid);
    expect(oauthSession).toMatchObject({ id: sid, current: false });

    expect((await request(`${t.url}/auth/sessions/${sid}`, { method: 'DELETE', headers: bearer })).status).toBe(204);
    expect(await oauthError(oidc.refreshTokenGrant(spa, tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
    expect(await oidc.tokenIntrospection(backend, tokens.access_token)).toEqual({ active: false });
    const after = await request(`${t.url}/auth/sessions`, { headers: bearer });
    expect((after.body.sessions as Array<{ id: string }>).map((s) => s.id)).not.toContain(sid);
  });

  it('deleting a client ends its sessions: its refresh token and access token stop working', async () => {
    const { client } = await t.server.clients.create({ name: 'Short-lived', firstParty: true, redirectUris: [REDIRECT] });
    const config = await discover(client.clientId);
    const tokens = await signedIn(config);
    expect(await t.server.clients.delete(client.clientId)).toBe(true);
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(await oidc.tokenIntrospection(backend, tokens.access_token)).toEqual({ active: false });
  });
});

describe('openid-client against Sigil: refusals, each with its OAuth error', () => {
  it('an unregistered redirect_uri at the authorization endpoint is an HTML page (400), never a redirect', async () => {
    for (const uri of [
      `${APP}/evil`,
      `${REDIRECT}/`,
      REDIRECT.replace('127.0.0.1', 'localhost'),
      `${REDIRECT}?x=1`,
      'https://evil.example.com/cb',
    ]) {
      const { url } = await startAuthorization(spa, { redirect_uri: uri });
      const answer = await visit(url);
      expect(answer.status, uri).toBe(400);
      expect(answer.location, uri).toBeNull();
      expect(answer.type).toMatch(/^text\/html/);
      expect(answer.html).toContain('redirect_uri is not registered');
    }
    const unknownClient = await visit(
      oidc.buildAuthorizationUrl(await discover('no-such-client'), { redirect_uri: REDIRECT, scope: SCOPE }),
    );
    expect(unknownClient).toMatchObject({ status: 400, location: null });
  });

  it("a redirect_uri at the token endpoint other than the authorization request's: invalid_grant", async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    // The response delivered to the client's other registered callback: openid-client sends that URI.
    const elsewhere = new URL(`${OTHER_REDIRECT}${callback.search}`);
    expect(await oauthError(exchange(spa, started, elsewhere))).toMatchObject({
      error: 'invalid_grant',
      status: 400,
      description: 'redirect_uri does not match the authorization request',
    });
  });

  it('no code_verifier: invalid_grant', async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    const refused = await oauthError(
      oidc.authorizationCodeGrant(spa, callback, { expectedState: started.state, expectedNonce: started.nonce }),
    );
    expect(refused).toMatchObject({ error: 'invalid_grant', status: 400, description: 'code_verifier is required (PKCE)' });
  });

  it('a wrong code_verifier: invalid_grant', async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    const refused = await oauthError(exchange(spa, { ...started, verifier: oidc.randomPKCECodeVerifier() }, callback));
    expect(refused).toMatchObject({ error: 'invalid_grant', status: 400, description: 'code_verifier does not match the code_challenge' });
  });

  it('plain PKCE (and no PKCE) is refused at the redirect URI: invalid_request, with the state and iss', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const plain = oidc.buildAuthorizationUrl(spa, {
      redirect_uri: REDIRECT,
      scope: SCOPE,
      code_challenge: verifier,
      code_challenge_method: 'plain',
      state,
    });
    const { callback, pages } = await signIn(plain, { email: ada.email, password: PASSWORD });
    expect(pages).toEqual([]);
    expect(callback.searchParams.get('iss')).toBe(t.url);
    expect(
      await authorizationError(oidc.authorizationCodeGrant(spa, callback, { pkceCodeVerifier: verifier, expectedState: state })),
    ).toEqual({
      error: 'invalid_request',
      description: 'PKCE with code_challenge_method=S256 is required',
    });

    const none = oidc.buildAuthorizationUrl(spa, { redirect_uri: REDIRECT, scope: SCOPE, state });
    const refused = await signIn(none, { email: ada.email, password: PASSWORD });
    expect(await authorizationError(oidc.authorizationCodeGrant(spa, refused.callback, { expectedState: state }))).toMatchObject({
      error: 'invalid_request',
    });
  });

  it('prompt=none: login_required (every authorization signs in)', async () => {
    const started = await startAuthorization(spa, { prompt: 'none' });
    const { callback, pages } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    expect(pages).toEqual([]);
    expect(await authorizationError(exchange(spa, started, callback))).toMatchObject({ error: 'login_required' });
  });

  it('a replayed code: invalid_grant, and the session of the first exchange is revoked (its refresh token dies)', async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    const tokens = await exchange(spa, started, callback);
    const replay = await oauthError(exchange(spa, started, callback));
    expect(replay).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(await oauthError(oidc.refreshTokenGrant(spa, tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
    expect(await oidc.tokenIntrospection(backend, tokens.access_token)).toEqual({ active: false });
  });

  it('the code of another client: invalid_grant', async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    expect(await oauthError(exchange(portal, started, callback))).toMatchObject({
      error: 'invalid_grant',
      status: 400,
      description: 'The authorization code was issued to another client',
    });
  });

  it('an expired code (over 60 s old): invalid_grant', async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    const refused = await withClockAhead(61_000, () => oauthError(exchange(spa, started, callback)));
    expect(refused).toMatchObject({ error: 'invalid_grant', status: 400, description: 'The authorization code expired' });
  });

  it("openid-client refuses an authorization response whose iss is not the issuer's, or that has none, before using the code", async () => {
    const started = await startAuthorization(spa);
    const { callback } = await signIn(started.url, { email: ada.email, password: PASSWORD });
    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://evil.example.com');
    const stripped = new URL(callback);
    stripped.searchParams.delete('iss');
    for (const [url, message] of [
      [forged, 'unexpected "iss" (issuer) response parameter value'],
      [stripped, 'response parameter "iss" (issuer) missing'],
    ] as const) {
      const failure = (await exchange(spa, started, url).catch((error: unknown) => error)) as oidc.ClientError & { cause: Error };
      expect(failure).toBeInstanceOf(oidc.ClientError);
      expect(failure.code).toBe('OAUTH_INVALID_RESPONSE');
      expect(failure.cause.message).toBe(message);
    }
    // Neither reached the token endpoint: the code is unused, and the genuine response works.
    expect((await exchange(spa, started, callback)).claims()!.sub).toBe(ada.id);
  });
});
