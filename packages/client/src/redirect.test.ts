import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jwtClaims } from './id-token.ts';
import { cookieSession, memoryStorage, SigilClientError, type AuthEvent, type StorageAdapter } from './index.ts';
import { codeChallenge } from './pkce.ts';
import { createSigilRedirectClient, type SigilRedirectClient, type SigilRedirectClientOptions } from './redirect.ts';
import { PASSWORD, signInAtAuthServer, startApi, startAuth, type TestAuth } from './test-servers.ts';

/** The app's pages, on another site than the auth server (127.0.0.1 here, as in the e2e demo). */
const APP = 'http://127.0.0.1:4200';
const CALLBACK = `${APP}/auth/callback`;
const ANN = { email: 'ann@example.com', password: PASSWORD };

let auth: TestAuth;
let api: Awaited<ReturnType<typeof startApi>>;
let testId = 0;
const clients: SigilRedirectClient[] = [];

beforeAll(async () => {
  auth = await startAuth({ ipRequestsPerMinute: 100_000 });
  api = await startApi(auth.url);
  await auth.auth.createUser({ email: ANN.email, password: PASSWORD, name: 'Ann', roles: ['admin'] });
  await auth.auth.clients.seed({
    clientId: 'app',
    name: 'The app',
    firstParty: true,
    redirectUris: [CALLBACK],
    postLogoutRedirectUris: [`${APP}/`],
  });
  await auth.auth.clients.seed({ clientId: 'partner', name: 'A partner', redirectUris: [CALLBACK] });
});
afterAll(async () => {
  await api?.close();
  await auth?.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  auth.requests.length = 0;
  api.reset();
  testId++;
});

/** A tab of the app: its own sessionStorage and page location; tabs of one test share lock and channel. */
function tab(options: Partial<SigilRedirectClientOptions> = {}) {
  const sessionStorage = memoryStorage();
  const visited: string[] = [];
  const client = createSigilRedirectClient({
    issuer: auth.url,
    clientId: 'app',
    redirectUri: CALLBACK,
    apiOrigins: [api.url],
    lockName: `lock-${testId}`,
    channelName: `channel-${testId}`,
    transactionStorage: sessionStorage,
    navigate: (url) => void visited.push(url),
    ...options,
  });
  clients.push(client);
  const events: AuthEvent[] = [];
  client.subscribe((event) => events.push(event));
  return { client, sessionStorage, visited, events, last: () => new URL(visited.at(-1)!) };
}

/** The whole sign-in: the button, the user on the auth server's page, the callback page. */
async function signIn(t: ReturnType<typeof tab>, returnTo?: string) {
  await t.client.loginWithRedirect({ returnTo });
  const callback = await signInAtAuthServer(t.visited.at(-1)!, ANN);
  return { callback, result: await t.client.handleRedirectCallback(callback) };
}

const tokenRequests = () => auth.count('POST', '/oauth/token');
const nextMessage = () => new Promise((resolve) => setTimeout(resolve, 50));
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
}

describe('loginWithRedirect', () => {
  it('sends the browser to the authorization endpoint with PKCE S256, state and nonce kept in this tab', async () => {
    const t = tab();
    await t.client.loginWithRedirect({ returnTo: '/lessons', loginHint: 'ann@example.com' });
    const url = t.last();
    expect(url.origin + url.pathname).toBe(`${auth.url}/oauth/authorize`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: CALLBACK,
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      login_hint: 'ann@example.com',
    });
    const pending = JSON.parse(t.sessionStorage.getItem(`sigil:oauth:${auth.url}:app`)!) as Record<string, string>;
    expect(pending).toMatchObject({ state: params['state'], nonce: params['nonce'], redirectUri: CALLBACK, returnTo: '/lessons' });
    expect(params['code_challenge']).toBe(await codeChallenge(pending['codeVerifier']!));
    // Each sign-in has its own secrets.
    await t.client.loginWithRedirect();
    expect(t.last().searchParams.get('state')).not.toBe(params['state']);
    expect(t.last().searchParams.get('code_challenge')).not.toBe(params['code_challenge']);
  });

  it('refuses an auth server whose OpenID configuration names another issuer', async () => {
    // The server's issuer is the recorder's URL; its direct address serves the same document.
    const t = tab({ issuer: auth.directUrl });
    await expect(t.client.loginWithRedirect()).rejects.toMatchObject({ code: 'issuer_mismatch' });
    expect(t.visited).toEqual([]);
  });
});

describe('handleRedirectCallback', () => {
  it('signs in with the code: user from the ID token, roles from the access token, a token the API accepts', async () => {
    const t = tab();
    const { callback, result } = await signIn(t, '/lessons');
    expect(new URL(callback).searchParams.get('iss')).toBe(auth.url);
    expect(result.returnTo).toBe('/lessons');
    expect(result.user).toMatchObject({ email: 'ann@example.com', name: 'Ann', roles: ['admin'], emailVerified: false });
    expect(t.client.user).toEqual(result.user);
    expect(t.events).toEqual([expect.objectContaining({ type: 'login', reason: 'login', user: result.user })]);
    const response = await t.client.fetch(`${api.url}/data`);
    expect(response.status).toBe(200);
    const token = await t.client.getAccessToken();
    expect(jwtClaims(token)).toMatchObject({ client_id: 'app', sub: result.user.id, iss: auth.url });
  });

  it('works once: the same callback again is state_mismatch, and signs nothing in', async () => {
    const t = tab();
    const { callback } = await signIn(t);
    const other = tab();
    await expect(other.client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'state_mismatch' });
    await expect(t.client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(other.client.isLoggedIn).toBe(false);
  });

  it("refuses another tab's answer (login CSRF): the state is this tab's", async () => {
    const mine = tab();
    const attacker = tab();
    await mine.client.loginWithRedirect();
    await attacker.client.loginWithRedirect();
    const attackersCallback = await signInAtAuthServer(attacker.visited[0]!, ANN);
    await expect(mine.client.handleRedirectCallback(attackersCallback)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(mine.client.isLoggedIn).toBe(false);
  });

  it('a replayed code is invalid_grant, and the session it started ends (the server revokes it)', async () => {
    const t = tab();
    const pending = async () => t.sessionStorage.getItem(`sigil:oauth:${auth.url}:app`);
    await t.client.loginWithRedirect();
    const saved = await pending();
    const callback = await signInAtAuthServer(t.visited[0]!, ANN);
    await t.client.handleRedirectCallback(callback);
    // An attacker who copied the callback URL and this tab's secrets tries the code again.
    const thief = tab();
    thief.sessionStorage.setItem(`sigil:oauth:${auth.url}:app`, saved!);
    const error = await thief.client.handleRedirectCallback(callback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({ code: 'invalid_grant', status: 400 });
    await expect(t.client.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(t.client.isLoggedIn).toBe(false);
    expect(t.events.at(-1)).toMatchObject({ type: 'logout', reason: 'session_expired' });
  });

  it("turns the user's refusal on the consent page into access_denied", async () => {
    const t = tab({ clientId: 'partner' });
    await t.client.loginWithRedirect();
    const callback = await signInAtAuthServer(t.visited[0]!, ANN, 'deny');
    const error = await t.client.handleRedirectCallback(callback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({ code: 'access_denied' });
    expect(t.client.isLoggedIn).toBe(false);
  });

  it('a third-party client signs in once the user allows it', async () => {
    const t = tab({ clientId: 'partner' });
    await t.client.loginWithRedirect();
    const { user } = await t.client.handleRedirectCallback(await signInAtAuthServer(t.visited[0]!, ANN, 'allow'));
    expect(user.email).toBe('ann@example.com');
  });
});

describe('refresh through the token endpoint', () => {
  it('rotates the refresh token and keeps the user', async () => {
    const storage = memoryStorage();
    const t = tab({ storage });
    await signIn(t);
    const stored = () => JSON.parse(storage.getItem(`sigil:session:${auth.url}`)!) as { refreshToken: string; accessToken: string };
    const before = stored();
    const requests = tokenRequests();
    const token = await t.client.refresh();
    expect(tokenRequests()).toBe(requests + 1);
    expect(token).not.toBe(before.accessToken);
    expect(stored().refreshToken).not.toBe(before.refreshToken);
    expect(t.events.at(-1)).toMatchObject({ type: 'refresh', reason: 'refresh' });
    expect(t.client.user?.email).toBe('ann@example.com');
    expect((await t.client.fetch(`${api.url}/data`)).status).toBe(200);
  });

  it('refreshes once for ten callers in each of two tabs sharing the session (Web Locks)', async () => {
    const clock = movableClock();
    const storage: StorageAdapter = memoryStorage();
    const a = tab({ storage, now: clock.now });
    await signIn(a);
    const b = tab({ storage, now: clock.now });
    expect(b.client.user?.email).toBe('ann@example.com');
    clock.advance(15 * 60_000);
    const requests = tokenRequests();
    const tokens = await Promise.all([...Array(10)].flatMap(() => [a.client.getAccessToken(), b.client.getAccessToken()]));
    expect(tokenRequests()).toBe(requests + 1);
    expect(new Set(tokens).size).toBe(1);
    expect((await b.client.fetch(`${api.url}/data`)).status).toBe(200);
  });

  it('refreshes once across tabs that share the session by BroadcastChannel only (memory)', async () => {
    const clock = movableClock();
    const a = tab({ now: clock.now });
    const b = tab({ now: clock.now });
    await signIn(a);
    await nextMessage();
    expect(b.client.user?.email).toBe('ann@example.com');
    expect(b.events).toEqual([expect.objectContaining({ type: 'login', reason: 'sync' })]);
    clock.advance(15 * 60_000);
    const requests = tokenRequests();
    const tokens = await Promise.all([a.client.getAccessToken(), b.client.getAccessToken(), b.client.getAccessToken()]);
    expect(tokenRequests()).toBe(requests + 1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('logs out with session_expired when the token endpoint refuses the refresh token', async () => {
    const storage = memoryStorage();
    const t = tab({ storage });
    await signIn(t);
    const { refreshToken } = JSON.parse(storage.getItem(`sigil:session:${auth.url}`)!) as { refreshToken: string };
    // Revoked elsewhere (another device of the app revoking it, an administrator ending the session).
    await fetch(`${auth.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: 'app' }),
    });
    await expect(t.client.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(t.client.isLoggedIn).toBe(false);
    expect(t.events.at(-1)).toMatchObject({ type: 'logout', reason: 'session_expired' });
  });
});

describe('silent refresh', () => {
  let shortLived: TestAuth;
  beforeAll(async () => {
    shortLived = await startAuth({ ipRequestsPerMinute: 100_000, accessTtl: '2s' });
    await shortLived.auth.createUser({ email: ANN.email, password: PASSWORD, name: 'Ann' });
    await shortLived.auth.clients.seed({ clientId: 'app', name: 'The app', firstParty: true, redirectUris: [CALLBACK] });
  });
  afterAll(() => shortLived?.close());

  it('renews the access token at the token endpoint before it expires, without a call', async () => {
    const t = tab({ issuer: shortLived.url });
    await signIn(t);
    const first = await t.client.getAccessToken();
    const before = shortLived.count('POST', '/oauth/token');
    await new Promise<void>((resolve) => t.client.subscribe((event) => event.type === 'refresh' && resolve()));
    expect(shortLived.count('POST', '/oauth/token')).toBe(before + 1);
    expect(await t.client.getAccessToken()).not.toBe(first);
  });
});

describe('logout', () => {
  it('revokes the refresh token, signs every tab out and goes to the end-session endpoint with the hint', async () => {
    const storage = memoryStorage();
    const t = tab({ storage });
    const other = tab({ storage });
    await signIn(t);
    const { refreshToken } = JSON.parse(storage.getItem(`sigil:session:${auth.url}`)!) as { refreshToken: string };
    await t.client.logout();
    expect(auth.count('POST', '/oauth/revoke')).toBe(1);
    expect(t.client.isLoggedIn).toBe(false);
    await nextMessage();
    expect(other.client.isLoggedIn).toBe(false);
    const end = t.last();
    expect(end.origin + end.pathname).toBe(`${auth.url}/oauth/logout`);
    expect(Object.fromEntries(end.searchParams)).toMatchObject({ post_logout_redirect_uri: `${APP}/`, client_id: 'app' });
    expect(jwtClaims(end.searchParams.get('id_token_hint'))).toMatchObject({ aud: 'app', iss: auth.url });
    // The auth server sends the browser back to the app with the state.
    const back = await fetch(end, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${APP}/?state=${end.searchParams.get('state')}`);
    // The refresh token is dead at the server.
    const refused = await fetch(`${auth.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'app' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(storage.getItem(`sigil:id_token:${auth.url}`)).toBeNull();
  });

  it('with postLogoutRedirectUri null only revokes; signed out already, it goes nowhere', async () => {
    const t = tab({ postLogoutRedirectUri: null });
    await signIn(t);
    const visits = t.visited.length;
    await t.client.logout();
    expect(auth.count('POST', '/oauth/revoke')).toBe(1);
    expect(t.visited.length).toBe(visits);
    const signedOut = tab();
    await signedOut.client.logout();
    expect(signedOut.visited).toEqual([]);
  });
});

describe('setup', () => {
  it('refuses a mistake when the client is created (TypeError)', () => {
    const base = { issuer: 'https://auth.example.com', apiOrigins: [], clientId: 'app', redirectUri: CALLBACK };
    expect(() => createSigilRedirectClient({ ...base, clientId: '' })).toThrow(/clientId/);
    expect(() => createSigilRedirectClient({ ...base, redirectUri: '/auth/callback' })).toThrow(/redirectUri/);
    expect(() => createSigilRedirectClient({ ...base, redirectUri: `${CALLBACK}#x` })).toThrow(/redirectUri/);
    expect(() => createSigilRedirectClient({ ...base, scope: 'profile email' })).toThrow(/openid/);
    expect(() => createSigilRedirectClient({ ...base, postLogoutRedirectUri: 'ftp://x' })).toThrow(/postLogoutRedirectUri/);
    expect(() => createSigilRedirectClient({ ...base, storage: 'cookie' })).toThrow(/cookie mode/);
    expect(() => createSigilRedirectClient({ ...base, storage: cookieSession() })).toThrow(/cookie mode/);
    expect(() => createSigilRedirectClient({ ...base, issuer: 'auth.example.com' })).toThrow(/issuer/);
  });

  it('signs in only through the redirect: login, verifyMfa and signup reject with a TypeError', async () => {
    const { client } = tab();
    await expect(client.login(ANN)).rejects.toThrow(/loginWithRedirect/);
    await expect(client.signup(ANN)).rejects.toBeInstanceOf(TypeError);
    await expect(client.verifyMfa({ mfaToken: 'x', method: 'totp', code: '1' })).rejects.toBeInstanceOf(TypeError);
  });

  it("keeps a session across a reload with localStorage-like storage (and the ID token for the next tab's logout)", async () => {
    const storage = memoryStorage();
    const first = tab({ storage });
    await signIn(first);
    first.client.destroy();
    const reloaded = tab({ storage });
    expect(reloaded.client.user?.email).toBe('ann@example.com');
    await reloaded.client.logout();
    expect(reloaded.last().searchParams.get('id_token_hint')).toBeTruthy();
  });
});
