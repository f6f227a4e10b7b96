import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilAccount, type SigilAccount } from './account.ts';
import { createSigilClient, SigilClientError, type AuthEvent, type SigilClient, type SigilClientOptions } from './index.ts';
import { browserFetch, PASSWORD, startAuth, type TestAuth } from './test-servers.ts';

const APP_ORIGIN = 'http://127.0.0.1:4200';
const NEW_PASSWORD = 'a brand new passphrase';
/** Limits that only the rate-limit test reaches. */
const GENEROUS = { ipRequestsPerMinute: 100_000, mailsPerIpPerHour: 100_000, linkFailuresPerHour: 100_000 };

let auth: TestAuth;
/** The auth server's clock: moved forward, it finds access tokens expired that the client still trusts. */
let serverOffsetMs = 0;
const clients: SigilClient[] = [];
let testId = 0;
let userId = 0;

beforeAll(async () => {
  auth = await startAuth({
    ...GENEROUS,
    mailsPerEmailPerHour: 3,
    allowedOrigins: [APP_ORIGIN],
    now: () => new Date(Date.now() + serverOffsetMs),
  });
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

/** The claims of an access token (read, not verified: this test's server issued it). */
function claims(token: string | null): Record<string, unknown> {
  return JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

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

describe('sessions and password change', () => {
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
    await expect(device().login({ email, password: NEW_PASSWORD })).resolves.toMatchObject({ status: 'signed_in', user: { email } });
  });

  it('a wrong current password or a weak new one is invalid_request naming the field, and the session is kept', async () => {
    const { client, account } = await signedIn();
    const wrong = await failure(account.changePassword({ currentPassword: 'not the password', newPassword: NEW_PASSWORD }));
    expect(wrong).toBeInstanceOf(SigilClientError);
    expect(wrong).toMatchObject({ code: 'invalid_request', status: 400, errors: [expect.objectContaining({ path: 'current_password' })] });
    expect(String((wrong as Error).message)).not.toContain('not the password');
    const weak = await failure(account.changePassword({ currentPassword: PASSWORD, newPassword: 'x' }));
    expect(weak).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'new_password' })] });
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

    const user = await account.verifyEmail(await auth.mailedToken(email, 'email/verify'));
    expect(user).toMatchObject({ id: client.user!.id, email, emailVerified: true });
    expect(refreshes()).toBe(1);
    // The renewed session's user and access token say so too.
    expect(client.user?.emailVerified).toBe(true);
    expect(claims(await client.getAccessToken())['email_verified']).toBe(true);
  });

  it('verifies from a signed-out tab (the link opened elsewhere) without a refresh', async () => {
    const { email, account } = await signedIn();
    await account.requestEmailVerification();
    const elsewhere = createSigilAccount(device());
    await expect(elsewhere.verifyEmail(await auth.mailedToken(email, 'email/verify'))).resolves.toMatchObject({
      email,
      emailVerified: true,
    });
    expect(refreshes()).toBe(0);
  });

  it('a used or made-up token is invalid_grant, an empty one invalid_request', async () => {
    const { account, email } = await signedIn();
    await account.requestEmailVerification();
    const token = await auth.mailedToken(email, 'email/verify');
    await account.verifyEmail(token);
    await expect(account.verifyEmail(token)).rejects.toMatchObject({ code: 'invalid_grant', status: 400 });
    await expect(account.verifyEmail('made-up')).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(account.verifyEmail('')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('too many requests for a link are rate_limited with retryAfter', async () => {
    const { account } = await signedIn();
    for (let i = 0; i < 3; i++) await account.requestEmailVerification();
    const error = await failure(account.requestEmailVerification());
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((error as SigilClientError).retryAfter).toBeGreaterThan(0);
  });
});

describe('password reset', () => {
  it('answers alike for known and unknown addresses, mails only the known one, and refuses what is not an address', async () => {
    const { email } = await signedIn();
    const account = createSigilAccount(tab());
    await expect(account.requestPasswordReset(email)).resolves.toBeUndefined();
    await expect(account.requestPasswordReset('nobody@example.com')).resolves.toBeUndefined();
    await expect(account.requestPasswordReset('not an address')).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    await auth.mailedToken(email, 'password/reset');
    expect(auth.mails.filter((mail) => mail.to === 'nobody@example.com')).toEqual([]);
  });

  it('resets with the mailed token: signed out here, in the synced tabs and, at their next refresh, on other devices', async () => {
    const sibling = tab();
    const { client, account, email } = await signedIn();
    const other = device();
    const otherEvents: AuthEvent[] = [];
    other.subscribe((event) => otherEvents.push(event));
    await other.login({ email, password: PASSWORD });
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(true);

    await account.requestPasswordReset(email);
    await account.resetPassword({ token: await auth.mailedToken(email, 'password/reset'), newPassword: NEW_PASSWORD });
    expect(client.isLoggedIn).toBe(false);
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(false);
    // The other device still holds its access token; the server refuses its refresh, and it logs out.
    await expect(other.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(otherEvents.at(-1)).toMatchObject({ type: 'logout', reason: 'session_expired' });
    await expect(device().login({ email, password: PASSWORD })).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(device().login({ email, password: NEW_PASSWORD })).resolves.toMatchObject({ status: 'signed_in', user: { email } });
  });

  it('a weak password is invalid_request, a made-up or used token invalid_grant; only a reset that worked ends the session', async () => {
    const { client, account, email } = await signedIn();
    await account.requestPasswordReset(email);
    const token = await auth.mailedToken(email, 'password/reset');
    await expect(account.resetPassword({ token, newPassword: 'x' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(account.resetPassword({ token: 'made-up', newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: 'invalid_grant',
      status: 400,
    });
    expect(client.isLoggedIn).toBe(true);
    await account.resetPassword({ token, newPassword: NEW_PASSWORD });
    expect(client.isLoggedIn).toBe(false);
    await expect(account.resetPassword({ token, newPassword: NEW_PASSWORD })).rejects.toMatchObject({ code: 'invalid_grant' });
  });
});

describe('email change', () => {
  it('mails a confirmation link to the new address; following it changes the address of the account and the session', async () => {
    const { client, account, email } = await signedIn();
    const moved = `moved-${email}`;
    await account.changeEmail({ newEmail: moved, password: PASSWORD });
    const user = await account.verifyEmail(await auth.mailedToken(moved, 'email/verify'));
    expect(user).toMatchObject({ email: moved, emailVerified: true });
    expect(client.user?.email).toBe(moved);
    await expect(device().login({ email: moved, password: PASSWORD })).resolves.toMatchObject({
      status: 'signed_in',
      user: { email: moved },
    });
  });

  it('a wrong password is invalid_request naming the field, with no refresh (it is not an expired token)', async () => {
    const { client, account } = await signedIn();
    const error = await failure(account.changeEmail({ newEmail: 'x@example.com', password: 'not the password' }));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, errors: [expect.objectContaining({ path: 'password' })] });
    expect(String((error as Error).message)).not.toContain('not the password');
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
    expect(auth.count('DELETE', '/auth/account')).toBe(1);
    expect(client.isLoggedIn).toBe(false);
    expect(events).toEqual([expect.objectContaining({ type: 'logout', reason: 'logout' })]);
    await nextMessage();
    expect(sibling.isLoggedIn).toBe(false);
    await expect(other.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(device().login({ email, password: PASSWORD })).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('a wrong password is refused and the account and session are kept', async () => {
    const { client, account } = await signedIn();
    const error = await failure(account.deleteAccount({ password: 'not the password' }));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, errors: [expect.objectContaining({ path: 'password' })] });
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

describe('signup and the verification modes', () => {
  let strict: TestAuth;
  beforeAll(async () => {
    strict = await startAuth({ ...GENEROUS, emailVerification: 'required' });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('optional (the default): signs in at once, unverified, and the mailed link verifies the session too', async () => {
    const c = tab();
    const result = await c.signup({ email: 'optional@example.com', password: PASSWORD });
    expect(result).toMatchObject({ user: { email: 'optional@example.com', emailVerified: false }, verificationRequired: false });
    expect(c.isLoggedIn).toBe(true);
    await createSigilAccount(c).verifyEmail(await auth.mailedToken('optional@example.com', 'email/verify'));
    expect(c.user?.emailVerified).toBe(true);
  });

  it('required: resolves to the user and verificationRequired, with no session and no event; login waits for the link', async () => {
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

    await expect(c.login({ email: 'strict@example.com', password: PASSWORD })).rejects.toMatchObject({
      code: 'email_not_verified',
      status: 403,
    });
    const user = await createSigilAccount(c).verifyEmail(await strict.mailedToken('strict@example.com', 'email/verify'));
    expect(user).toMatchObject({ email: 'strict@example.com', emailVerified: true });
    await expect(c.login({ email: 'strict@example.com', password: PASSWORD })).resolves.toMatchObject({
      status: 'signed_in',
      user: { emailVerified: true },
    });
  });
});
