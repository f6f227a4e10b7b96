import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilAccount, type SigilAccount } from './account.ts';
import { createSigilClient, SigilClientError, type AuthEvent, type SigilClient, type SigilClientOptions } from './index.ts';
import { browserFetch, PASSWORD, startAuth, type TestAuth } from './test-servers.ts';

const APP_ORIGIN = 'http://127.0.0.1:4200';
const NEW_PASSWORD = 'a brand new passphrase';

let auth: TestAuth;
/** The auth server's clock: moved forward, it finds access tokens expired that the client still trusts. */
let serverOffsetMs = 0;
const clients: SigilClient[] = [];
let testId = 0;
let userId = 0;

beforeAll(async () => {
  auth = await startAuth(
    { ipRequestsPerMinute: 100_000, allowedOrigins: [APP_ORIGIN], now: () => new Date(Date.now() + serverOffsetMs) },
    { verificationLimit: 2 },
  );
});
afterAll(async () => {
  await auth?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  auth.requests.length = 0;
  serverOffsetMs = 0;
  testId++;
});

const lifecycle = () => auth.lifecycle!;

/** A tab of this test's browser: clients of one test share lock and channel, tests never do. */
function tab(options: Partial<SigilClientOptions> = {}): SigilClient {
  const c = createSigilClient({
    issuer: auth.url,
    apiOrigins: [],
    lockName: `lock-${testId}`,
    channelName: `channel-${testId}`,
    ...options,
  });
  clients.push(c);
  return c;
}

/** A client on another device: its own lock and channel. */
const device = () => tab({ lockName: `other-lock-${testId}-${clients.length}`, channelName: `other-channel-${testId}-${clients.length}` });

/** A fresh account for each test, signed in on `client`. */
async function signedIn(client = tab()): Promise<{ client: SigilClient; account: SigilAccount; email: string }> {
  const email = `user${++userId}@example.com`;
  await auth.auth.createUser({ email, password: PASSWORD, name: `User ${userId}` });
  await client.login({ email, password: PASSWORD });
  return { client, account: createSigilAccount(client), email };
}

const refreshes = () => auth.count('POST', '/auth/refresh');
const nextMessage = () => new Promise((resolve) => setTimeout(resolve, 50));
const failure = (pending: Promise<unknown>) =>
  pending.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('createSigilAccount', () => {
  it('takes a client from createSigilClient, and nothing else (TypeError at setup)', () => {
    expect(() => createSigilAccount({} as SigilClient)).toThrow(new TypeError('Sigil: client must be a client from createSigilClient'));
    expect(() => createSigilAccount(tab())).not.toThrow();
  });

  it('signed-in calls reject with not_logged_in without a session, sending nothing', async () => {
    const account = createSigilAccount(tab());
    const calls = [
      account.requestEmailVerification(),
      account.changeEmail({ newEmail: 'x@example.com', password: PASSWORD }),
      account.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      account.deleteAccount({ password: PASSWORD }),
      account.sessions(),
      account.revokeSession('some-id'),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(auth.requests).toEqual([]);
  });
});

describe('sessions and password change (the real auth server)', () => {
  it('lists the sessions with this one current, and revokes another device, which is then signed out', async () => {
    const { client, account, email } = await signedIn();
    const other = device();
    const otherEvents: AuthEvent[] = [];
    other.subscribe((event) => otherEvents.push(event));
    await other.login({ email, password: PASSWORD });

    const sessions = await account.sessions();
    expect(sessions).toHaveLength(2);
    const [current, ...rest] = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));
    expect(current).toMatchObject({ current: true, userAgent: expect.any(String) });
    expect(current!.createdAt).toBeInstanceOf(Date);
    expect(current!.lastUsedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(rest.map((s) => s.current)).toEqual([false]);
    expect((await createSigilAccount(other).sessions()).find((s) => s.current)?.id).toBe(rest[0]!.id);

    await account.revokeSession(rest[0]!.id);
    expect((await account.sessions()).map((s) => s.id)).toEqual([current!.id]);
    await expect(other.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(other.isLoggedIn).toBe(false);
    expect(otherEvents.at(-1)).toMatchObject({ type: 'logout', reason: 'session_expired' });
    expect(client.isLoggedIn).toBe(true);
  });

  it('revokeSession of an unknown id rejects with not_found', async () => {
    const { account } = await signedIn();
    await expect(account.revokeSession('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('changes the password: the new one signs in, the other devices are signed out, this one stays', async () => {
    const { client, account, email } = await signedIn();
    const other = device();
    await other.login({ email, password: PASSWORD });
    await account.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(client.isLoggedIn).toBe(true);
    await expect(client.refresh()).resolves.toEqual(expect.any(String));
    await expect(other.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(device().login({ email, password: PASSWORD })).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(device().login({ email, password: NEW_PASSWORD })).resolves.toMatchObject({ email });
  });

  it('a wrong current password or a weak new one is invalid_request, and the session is kept', async () => {
    const { client, account } = await signedIn();
    const wrong = await failure(account.changePassword({ currentPassword: 'not the password', newPassword: NEW_PASSWORD }));
    expect(wrong).toBeInstanceOf(SigilClientError);
    expect(wrong).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(String((wrong as Error).message)).not.toContain('not the password');
    await expect(account.changePassword({ currentPassword: PASSWORD, newPassword: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(client.isLoggedIn).toBe(true);
    expect(refreshes()).toBe(0);
  });

  it('an access token the server finds expired is renewed once and the call retried', async () => {
    const { account } = await signedIn();
    // The client still trusts its token (its own clock); the server's says it expired.
    serverOffsetMs = 16 * 60_000;
    await expect(account.sessions()).resolves.toHaveLength(1);
    expect(refreshes()).toBe(1);
    expect(auth.count('GET', '/auth/sessions')).toBe(2);
  });
});

describe('email verification', () => {
  it('mails a link; following it verifies the address and renews the session so it says so', async () => {
    const { client, account, email } = await signedIn();
    expect(client.user?.emailVerified).toBe(false);
    await account.requestEmailVerification();
    const request = auth.requests.find((r) => r.path === '/auth/email/verification')!;
    expect(request.headers['authorization']).toBe(`Bearer ${await client.getAccessToken()}`);

    const user = await account.verifyEmail(lifecycle().linkToken('verify', email));
    expect(user).toMatchObject({ id: client.user!.id, email, emailVerified: true });
    expect(refreshes()).toBe(1);
  });

  it('verifies from a signed-out tab (the link opened elsewhere) without a refresh', async () => {
    const { email, account } = await signedIn();
    await account.requestEmailVerification();
    const elsewhere = createSigilAccount(device());
    await expect(elsewhere.verifyEmail(lifecycle().linkToken('verify', email))).resolves.toMatchObject({ email, emailVerified: true });
    expect(refreshes()).toBe(0);
  });

  it('a used, unknown or empty token is refused with invalid_grant or invalid_request', async () => {
    const { account, email } = await signedIn();
    await account.requestEmailVerification();
    const token = lifecycle().linkToken('verify', email);
    await account.verifyEmail(token);
    await expect(account.verifyEmail(token)).rejects.toMatchObject({ code: 'invalid_grant', status: 400 });
    await expect(account.verifyEmail('made-up')).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(account.verifyEmail('')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('too many requests for a link are rate_limited with retryAfter', async () => {
    const { account } = await signedIn();
    await account.requestEmailVerification();
    await account.requestEmailVerification();
    const error = await failure(account.requestEmailVerification());
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 60 });
  });
});

describe('password reset', () => {
  it('answers alike for known and unknown addresses, and refuses what is not one', async () => {
    const { email } = await signedIn();
    const account = createSigilAccount(tab());
    await expect(account.requestPasswordReset(email)).resolves.toBeUndefined();
    await expect(account.requestPasswordReset('nobody@example.com')).resolves.toBeUndefined();
    await expect(account.requestPasswordReset('not an address')).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    const sent = lifecycle().requests.filter((r) => r.path === '/auth/password/forgot');
    expect(sent.map((r) => r.body)).toEqual([{ email }, { email: 'nobody@example.com' }, { email: 'not an address' }]);
  });

  it('resets with the mailed token and ends the session here and in the synced tabs', async () => {
    const sibling = tab();
    const { client, account, email } = await signedIn();
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(true);
    await account.requestPasswordReset(email);
    await account.resetPassword({ token: lifecycle().linkToken('reset', email), newPassword: NEW_PASSWORD });
    expect(client.isLoggedIn).toBe(false);
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(false);
    expect(lifecycle().requests.at(-1)?.body).toEqual({ token: expect.any(String), new_password: NEW_PASSWORD });
  });

  it('a weak password is invalid_request and a used token invalid_grant; a failed reset keeps the session', async () => {
    const { client, account, email } = await signedIn();
    await account.requestPasswordReset(email);
    const token = lifecycle().linkToken('reset', email);
    await expect(account.resetPassword({ token, newPassword: 'x' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(account.resetPassword({ token: 'made-up', newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: 'invalid_grant',
      status: 400,
    });
    expect(client.isLoggedIn).toBe(true);
  });
});

describe('email change', () => {
  it('mails a confirmation link to the new address; following it changes the address', async () => {
    const { account, email } = await signedIn();
    await account.changeEmail({ newEmail: 'moved@example.com', password: PASSWORD });
    expect(lifecycle().requests.at(-1)?.body).toEqual({ new_email: 'moved@example.com', password: PASSWORD });
    const user = await account.verifyEmail(lifecycle().linkToken('verify', email));
    expect(user).toMatchObject({ email: 'moved@example.com', emailVerified: true });
  });

  it('a wrong password is invalid_credentials, with no refresh (it is not an expired token)', async () => {
    const { client, account } = await signedIn();
    const error = await failure(account.changeEmail({ newEmail: 'x@example.com', password: 'not the password' }));
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(refreshes()).toBe(0);
    expect(client.isLoggedIn).toBe(true);
  });

  it('an address in use is email_taken', async () => {
    const { account } = await signedIn();
    const { email: taken } = await signedIn(device());
    await expect(account.changeEmail({ newEmail: taken, password: PASSWORD })).rejects.toMatchObject({ code: 'email_taken', status: 409 });
  });
});

describe('account deletion', () => {
  it('deletes the account and signs out here, in the synced tabs and on the other devices', async () => {
    const sibling = tab();
    const { client, account, email } = await signedIn();
    const other = device();
    await other.login({ email, password: PASSWORD });
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(true);
    const events: AuthEvent[] = [];
    client.subscribe((event) => events.push(event));

    await account.deleteAccount({ password: PASSWORD });
    expect(lifecycle().requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/auth/account', body: { password: PASSWORD } });
    expect(client.isLoggedIn).toBe(false);
    expect(events).toEqual([expect.objectContaining({ type: 'logout', reason: 'logout' })]);
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(false);
    await expect(other.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(device().login({ email, password: PASSWORD })).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('a wrong password is refused and the account and session are kept', async () => {
    const { client, account } = await signedIn();
    await expect(account.deleteAccount({ password: 'not the password' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(client.isLoggedIn).toBe(true);
    await expect(account.sessions()).resolves.toHaveLength(1);
  });

  it('in cookie mode it also drops the refresh cookie: a reload stays signed out', async () => {
    const browser = browserFetch(APP_ORIGIN);
    const { account } = await signedIn(tab({ storage: 'cookie', fetch: browser }));
    expect(browser.jar.has('sigil_refresh')).toBe(true);
    await account.deleteAccount({ password: PASSWORD });
    expect(browser.jar.has('sigil_refresh')).toBe(false);
    const reloaded = tab({ storage: 'cookie', fetch: browser });
    await reloaded.ready;
    expect(reloaded.isLoggedIn).toBe(false);
  });
});

describe('signup with required verification', () => {
  let strict: TestAuth;
  beforeAll(async () => {
    strict = await startAuth({ ipRequestsPerMinute: 100_000 }, { verificationRequired: true });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('resolves to the user and verificationRequired, with no session started and no event', async () => {
    const c = tab({ issuer: strict.url });
    const events: AuthEvent[] = [];
    c.subscribe((event) => events.push(event));
    const result = await c.signup({ email: 'strict@example.com', password: PASSWORD, name: 'Stella' });
    expect(result).toEqual({
      user: { id: expect.any(String), email: 'strict@example.com', name: 'Stella', roles: [], emailVerified: false },
      verificationRequired: true,
    });
    expect(c.isLoggedIn).toBe(false);
    expect(await c.getAccessToken()).toBeNull();
    expect(events).toEqual([]);
    const user = await createSigilAccount(c).verifyEmail(strict.lifecycle!.linkToken('verify', 'strict@example.com'));
    expect(user).toMatchObject({ email: 'strict@example.com', emailVerified: true });
  });
});
