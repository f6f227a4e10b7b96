import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilClient, memoryStorage, SigilClientError, type AuthEvent, type SigilClient, type SigilClientOptions } from './index.ts';
import { browserFetch, PASSWORD, startApi, startAuth, startForeign, type TestAuth } from './test-servers.ts';

/** The web app's origin in cookie-mode tests, allowed by the auth server. */
const APP_ORIGIN = 'http://127.0.0.1:4200';

let auth: TestAuth;
let api: Awaited<ReturnType<typeof startApi>>;
let foreign: Awaited<ReturnType<typeof startForeign>>;
const clients: SigilClient[] = [];
let testId = 0;

beforeAll(async () => {
  auth = await startAuth({ ipRequestsPerMinute: 100_000, allowedOrigins: [APP_ORIGIN] });
  [api, foreign] = await Promise.all([startApi(auth.url), startForeign()]);
  await auth.auth.createUser({ email: 'ann@example.com', password: PASSWORD, name: 'Ann', roles: ['admin'] });
});
afterAll(async () => {
  await Promise.all([api?.close(), foreign?.close()]);
  await auth?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  auth.requests.length = 0;
  api.reset();
  foreign.requests.length = 0;
  testId++;
});

/** Clients of one test share lock and channel, like tabs of one browser; tests never share. */
function client(options: Partial<SigilClientOptions> = {}): SigilClient {
  const c = createSigilClient({
    issuer: auth.url,
    apiOrigins: [api.url],
    lockName: `lock-${testId}`,
    channelName: `channel-${testId}`,
    ...options,
  });
  clients.push(c);
  return c;
}

const refreshes = () => auth.count('POST', '/auth/refresh');
const bearer = (r: { headers: Record<string, unknown> }) => r.headers['authorization'];
const login = (c: SigilClient) => c.login({ email: 'ann@example.com', password: PASSWORD });
/** A clock we can move: tokens expire for the client without waiting. */
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
}
const nextMessage = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('login, signup, errors', () => {
  it('logs in, exposes the user and a token the auth server accepts', async () => {
    const c = client();
    const events: AuthEvent[] = [];
    c.subscribe((e) => events.push(e));
    const result = await login(c);
    expect(result.status).toBe('signed_in');
    const user = result.status === 'signed_in' ? result.user : undefined;
    expect(user).toMatchObject({ email: 'ann@example.com', name: 'Ann', roles: ['admin'] });
    expect(c.isLoggedIn).toBe(true);
    expect(c.user).toEqual(user);
    expect(c.expiresAt).toBeGreaterThan(Date.now() + 800_000);
    expect(events).toEqual([expect.objectContaining({ type: 'login', reason: 'login', user })]);
    const me = await fetch(`${auth.url}/auth/me`, { headers: { authorization: `Bearer ${await c.getAccessToken()}` } });
    expect(me.status).toBe(200);
  });

  it('rejects a wrong password with invalid_credentials and stays logged out', async () => {
    const c = client();
    const error = await c.login({ email: 'ann@example.com', password: 'wrong horse battery' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(String((error as Error).message)).not.toContain('wrong horse');
    expect(c.isLoggedIn).toBe(false);
  });

  it('signs up, then email_taken for the same email', async () => {
    const c = client();
    const { user, verificationRequired } = await c.signup({ email: 'new@example.com', password: PASSWORD, name: 'Nia' });
    expect(user).toMatchObject({ email: 'new@example.com', name: 'Nia' });
    expect(verificationRequired).toBe(false);
    expect(c.isLoggedIn).toBe(true);
    expect(c.user).toEqual(user);
    await expect(client().signup({ email: 'new@example.com', password: PASSWORD })).rejects.toMatchObject({
      code: 'email_taken',
      status: 409,
    });
    const weak = await client()
      .signup({ email: 'weak@example.com', password: 'x' })
      .catch((e: unknown) => e);
    expect(weak).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('reports rate_limited with retryAfter after repeated failures', async () => {
    await auth.auth.createUser({ email: 'locked@example.com', password: PASSWORD });
    const c = client();
    let error: unknown;
    for (let i = 0; i < 8 && !(error instanceof SigilClientError && error.code === 'rate_limited'); i++) {
      error = await c.login({ email: 'locked@example.com', password: 'not the password' }).catch((e: unknown) => e);
    }
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((error as SigilClientError).retryAfter).toBeGreaterThan(0);
  });

  it('reports network_error when the auth server is unreachable', async () => {
    const c = client({ issuer: 'http://127.0.0.1:9' });
    await expect(c.login({ email: 'ann@example.com', password: PASSWORD })).rejects.toMatchObject({ code: 'network_error' });
  });
});

describe('fetch', () => {
  it('sends the token to the API origin only: never to a third party or the unlisted auth server', async () => {
    const c = client();
    await login(c);
    const token = await c.getAccessToken();
    expect((await c.fetch(`${api.url}/data`)).status).toBe(200);
    expect(bearer(api.requests[0]!)).toBe(`Bearer ${token}`);

    await c.fetch(`${foreign.url}/collect`, { method: 'POST', body: 'x' });
    // Same host, other port: another origin.
    await c.fetch(`${foreign.url.replace('127.0.0.1', 'localhost')}/x`);
    expect(foreign.requests).toHaveLength(2);
    for (const r of foreign.requests) expect(bearer(r)).toBeUndefined();

    const me = await c.fetch(`${auth.url}/auth/me`);
    expect(me.status).toBe(401);
    expect(bearer(auth.requests.at(-1)!)).toBeUndefined();
  });

  it('with the auth server listed, authenticates its API but never its token endpoints', async () => {
    const c = client({ apiOrigins: [api.url, auth.url] });
    await login(c);
    expect((await c.fetch(`${auth.url}/auth/me`)).status).toBe(200);
    expect(bearer(auth.requests.at(-1)!)).toBe(`Bearer ${await c.getAccessToken()}`);
    const refused = await c.fetch(`${auth.url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(bearer(auth.requests.at(-1)!)).toBeUndefined();
    // That 401 is the endpoint's own answer, not a reason to refresh and retry.
    expect(refreshes()).toBe(1);
    expect(c.isLoggedIn).toBe(true);
  });

  it('sends no token when logged out, and keeps an explicit Authorization header', async () => {
    const c = client();
    expect((await c.fetch(`${api.url}/data`)).status).toBe(401);
    expect(bearer(api.requests[0]!)).toBeUndefined();
    await login(c);
    await c.fetch(`${api.url}/data`, { headers: { Authorization: 'Bearer mine' } });
    expect(bearer(api.requests[1]!)).toBe('Bearer mine');
  });

  it('on 401 refreshes once and retries once with the new token, replaying the body', async () => {
    const c = client();
    await login(c);
    const first = (await c.getAccessToken())!;
    api.revoke(first);
    const response = await c.fetch(`${api.url}/data`, { method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { echo: string }).echo).toBe('payload');
    expect(refreshes()).toBe(1);
    expect(api.requests.map(bearer)).toEqual([`Bearer ${first}`, `Bearer ${await c.getAccessToken()}`]);
    expect(await c.getAccessToken()).not.toBe(first);
  });

  it('does not loop when the API refuses every token', async () => {
    const c = client();
    await login(c);
    api.refuseEverything();
    expect((await c.fetch(`${api.url}/data`)).status).toBe(401);
    expect(api.requests).toHaveLength(2);
    expect(refreshes()).toBe(1);
    expect(c.isLoggedIn).toBe(true);
  });

  it('logs out when the refresh is refused, and returns the 401 without a retry', async () => {
    const c = client();
    await login(c);
    const events: AuthEvent[] = [];
    c.subscribe((e) => events.push(e));
    // Another party revokes the session (as "log out everywhere" would).
    await c.refresh(); // make the client hold a refresh token the server then revokes
    const token = (await c.getAccessToken())!;
    await revokeSessionOf(token);
    api.revoke(token);
    const response = await c.fetch(`${api.url}/data`);
    expect(response.status).toBe(401);
    expect(api.requests).toHaveLength(1);
    expect(refreshes()).toBe(2);
    expect(c.isLoggedIn).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'logout', reason: 'session_expired', user: null, error: { code: 'invalid_grant' } });
    // Later requests go out without a token and do not try to refresh.
    await c.fetch(`${api.url}/data`);
    expect(bearer(api.requests[1]!)).toBeUndefined();
    expect(refreshes()).toBe(2);
  });
});

/** Revokes the session that issued `token`, through the server's own session API. */
async function revokeSessionOf(token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}` };
  const list = (await (await fetch(`${auth.url}/auth/sessions`, { headers })).json()) as { sessions: { id: string; current: boolean }[] };
  const current = list.sessions.find((s) => s.current);
  if (!current) throw new Error('no current session listed');
  const response = await fetch(`${auth.url}/auth/sessions/${current.id}`, { method: 'DELETE', headers });
  if (response.status !== 204) throw new Error(`DELETE session answered ${response.status}`);
}

describe('single refresh', () => {
  it('ten parallel requests with an expired token cause exactly one refresh', async () => {
    const clock = movableClock();
    const c = client({ now: clock.now });
    await login(c);
    clock.advance(15 * 60_000);
    const responses = await Promise.all(Array.from({ length: 10 }, () => c.fetch(`${api.url}/data`)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshes()).toBe(1);
    expect(new Set(api.requests.map(bearer)).size).toBe(1);
  });

  it('ten parallel 401s on a token the client thought valid cause exactly one refresh', async () => {
    const c = client();
    await login(c);
    api.revoke((await c.getAccessToken())!);
    const responses = await Promise.all(Array.from({ length: 10 }, () => c.fetch(`${api.url}/data`)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshes()).toBe(1);
  });

  it('two clients sharing storage (two tabs) refresh once between them, and neither is logged out', async () => {
    const clock = movableClock();
    const storage = memoryStorage();
    const tabA = client({ storage, now: clock.now });
    await login(tabA);
    const tabB = client({ storage, now: clock.now });
    expect(tabB.user?.email).toBe('ann@example.com');
    clock.advance(15 * 60_000);
    const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? tabA : tabB).fetch(`${api.url}/data`));
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshes()).toBe(1);
    expect(tabA.isLoggedIn && tabB.isLoggedIn).toBe(true);
    expect(await tabA.getAccessToken()).toBe(await tabB.getAccessToken());
  });

  it('two tabs with their own memory share the refreshed session by broadcast', async () => {
    const clock = movableClock();
    const tabA = client({ now: clock.now });
    const tabB = client({ now: clock.now });
    await login(tabA);
    await nextMessage();
    expect(tabB.user?.email).toBe('ann@example.com');
    clock.advance(15 * 60_000);
    const statuses = await Promise.all([tabA, tabB, tabA, tabB].map((t) => t.fetch(`${api.url}/data`).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(refreshes()).toBe(1);
    expect(tabA.isLoggedIn && tabB.isLoggedIn).toBe(true);
  });
});

describe('without the Web Locks API', () => {
  it('two clients sharing storage still end up with one session and stay logged in', async () => {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    try {
      const clock = movableClock();
      const storage = memoryStorage();
      const tabA = client({ storage, now: clock.now });
      await login(tabA);
      const tabB = client({ storage, now: clock.now });
      clock.advance(15 * 60_000);
      const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? tabA : tabB).fetch(`${api.url}/data`));
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(10).fill(200));
      // In-tab single flight still holds: at most one refresh per client.
      expect(refreshes()).toBeLessThanOrEqual(2);
      expect(tabA.isLoggedIn && tabB.isLoggedIn).toBe(true);
      expect((await tabA.fetch(`${api.url}/data`)).status).toBe(200);
      expect((await tabB.fetch(`${api.url}/data`)).status).toBe(200);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
    expect(typeof navigator.locks?.request).toBe('function');
  });
});

describe('clock skew', () => {
  it.each([
    ['an hour ahead', 3_600_000],
    ['an hour behind', -3_600_000],
  ])('with the client clock %s, a fresh token is used as is, without refreshing', async (_name, skew) => {
    const c = client({ now: () => Date.now() + skew });
    await login(c);
    expect(c.expiresAt! - (Date.now() + skew)).toBeGreaterThan(800_000);
    expect((await c.fetch(`${api.url}/data`)).status).toBe(200);
    expect(refreshes()).toBe(0);
  });
});

describe('logout and multi-tab sync', () => {
  it('logout clears the session, revokes it at the server and logs out the other tabs', async () => {
    const tabA = client();
    const tabB = client();
    const eventsB: AuthEvent[] = [];
    tabB.subscribe((e) => eventsB.push(e));
    await login(tabA);
    await nextMessage();
    expect(tabB.isLoggedIn).toBe(true);
    expect(eventsB).toEqual([expect.objectContaining({ type: 'login', reason: 'sync' })]);

    const token = (await tabA.getAccessToken())!;
    await tabA.logout();
    expect(tabA.isLoggedIn).toBe(false);
    expect(auth.count('POST', '/auth/logout')).toBe(1);
    await nextMessage();
    expect(tabB.isLoggedIn).toBe(false);
    expect(eventsB.at(-1)).toMatchObject({ type: 'logout', reason: 'sync' });
    // The session is gone at the server: its tokens can no longer be refreshed.
    const sessions = await fetch(`${auth.url}/auth/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(
      sessions.status === 401 || !((await sessions.json()) as { sessions: { current: boolean }[] }).sessions.some((s) => s.current),
    ).toBe(true);
  });

  it('logout with shared storage logs the other client out through the storage too', async () => {
    const storage = memoryStorage();
    const tabA = client({ storage, channelName: 'unshared-a' });
    const tabB = client({ storage, channelName: 'unshared-b' });
    await login(tabA);
    await tabA.logout();
    // No broadcast between them: tabB notices when it next needs a token.
    const refreshed = await tabB.refresh().catch((e: unknown) => e);
    expect(refreshed).toMatchObject({ code: 'not_logged_in' });
  });

  it('refresh() resolves to the new access token, the one getAccessToken() then returns', async () => {
    const c = client();
    await login(c);
    const before = await c.getAccessToken();
    const token = await c.refresh();
    expect(typeof token).toBe('string');
    expect(token).not.toBe(before);
    expect(await c.getAccessToken()).toBe(token);
    expect(refreshes()).toBe(1);
  });

  it('refresh() without a session rejects with not_logged_in', async () => {
    await expect(client().refresh()).rejects.toMatchObject({ code: 'not_logged_in' });
  });
});

describe("storage: 'cookie'", () => {
  const header = (r: { headers: Record<string, unknown> }, name: string) => r.headers[name];

  it('keeps the refresh token out of JavaScript and restores the session on reload via the cookie', async () => {
    const browser = browserFetch(APP_ORIGIN);
    const tab = client({ storage: 'cookie', fetch: browser });
    await tab.ready;
    expect(tab.isLoggedIn).toBe(false);
    // A browser without a refresh cookie is not sent to /auth/refresh (a certain 401) at startup.
    expect(refreshes()).toBe(0);
    await login(tab);
    const loginRequest = auth.requests.find((r) => r.path === '/auth/login')!;
    expect(header(loginRequest, 'x-sigil-token-delivery')).toBe('cookie');
    expect(browser.jar.has('sigil_refresh')).toBe(true);
    expect((await tab.fetch(`${api.url}/data`)).status).toBe(200);

    // A reload: a new client in the same browser, nothing in memory.
    const reloaded = client({ storage: 'cookie', fetch: browser });
    const events: AuthEvent[] = [];
    reloaded.subscribe((e) => events.push(e));
    await reloaded.ready;
    expect(reloaded.user?.email).toBe('ann@example.com');
    expect(events).toEqual([expect.objectContaining({ type: 'login', reason: 'restore' })]);
    const refresh = auth.requests.filter((r) => r.path === '/auth/refresh').at(-1)!;
    expect(header(refresh, 'x-csrf-token')).toBe(browser.jar.get('sigil_csrf')?.value);
    expect(refresh.body === '' || !refresh.body.includes('refresh_token')).toBe(true);
  });

  it('logs out with the cookie: the server forgets it and a reload stays logged out', async () => {
    const browser = browserFetch(APP_ORIGIN);
    const tab = client({ storage: 'cookie', fetch: browser });
    await login(tab);
    const cookie = browser.jar.get('sigil_refresh')!.value;
    await tab.logout();
    expect(tab.isLoggedIn).toBe(false);
    expect(browser.jar.has('sigil_refresh')).toBe(false);
    const reloaded = client({ storage: 'cookie', fetch: browser });
    await reloaded.ready;
    expect(reloaded.isLoggedIn).toBe(false);
    // The old cookie value is dead at the server, not just deleted in the browser.
    browser.jar.set('sigil_refresh', { value: cookie, path: '/auth' });
    const replay = client({ storage: 'cookie', fetch: browser });
    await replay.ready;
    expect(replay.isLoggedIn).toBe(false);
  });

  it('refreshes an expired token with the cookie, once for ten parallel requests in two tabs', async () => {
    const clock = movableClock();
    const browser = browserFetch(APP_ORIGIN);
    const tabA = client({ storage: 'cookie', fetch: browser, now: clock.now, restore: false });
    const tabB = client({ storage: 'cookie', fetch: browser, now: clock.now, restore: false });
    await login(tabA);
    await nextMessage();
    expect(tabB.isLoggedIn).toBe(true);
    clock.advance(15 * 60_000);
    const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? tabA : tabB).fetch(`${api.url}/data`));
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(refreshes()).toBe(1);
    expect(tabA.isLoggedIn && tabB.isLoggedIn).toBe(true);
  });

  it('two tabs opening at once restore the session with one refresh between them', async () => {
    const browser = browserFetch(APP_ORIGIN);
    await login(client({ storage: 'cookie', fetch: browser, restore: false }));
    const before = refreshes();
    const tabs = [client({ storage: 'cookie', fetch: browser }), client({ storage: 'cookie', fetch: browser })];
    await Promise.all(tabs.map((t) => t.ready));
    expect(tabs.map((t) => t.user?.email)).toEqual(['ann@example.com', 'ann@example.com']);
    expect(refreshes() - before).toBe(1);
  });

  it('an app origin the server does not allow cannot restore a session (CSRF origin check)', async () => {
    const good = browserFetch(APP_ORIGIN);
    await login(client({ storage: 'cookie', fetch: good, restore: false }));
    const evil = browserFetch('http://127.0.0.1:6666');
    for (const [name, value] of good.jar) evil.jar.set(name, value);
    const tab = client({ storage: 'cookie', fetch: evil });
    await tab.ready;
    expect(tab.isLoggedIn).toBe(false);
    expect(auth.requests.filter((r) => r.path === '/auth/refresh').length).toBeGreaterThanOrEqual(1);
    // Control: the same cookies from the allowed origin do restore.
    const allowed = client({ storage: 'cookie', fetch: good });
    await allowed.ready;
    expect(allowed.isLoggedIn).toBe(true);
  });
});
