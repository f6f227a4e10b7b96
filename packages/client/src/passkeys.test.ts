import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilAccount } from './account.ts';
import { createSigilClient, SigilClientError, type AuthEvent, type SigilClient, type SigilClientOptions } from './index.ts';
import { createSigilPasskeys } from './passkeys.ts';
import { browserFetch, PASSWORD, startAuth, type TestAuth } from './test-servers.ts';
import { installWebAuthn, type TestWebAuthn } from './test-webauthn.ts';

// `@sigil/client/passkeys` against the real auth server. The browser's WebAuthn is the software
// authenticator behind `navigator.credentials` (test-webauthn.ts); `@simplewebauthn/browser`, the
// client and the server are the real ones.

const APP_ORIGIN = 'http://127.0.0.1:4200';

let auth: TestAuth;
let webauthn: TestWebAuthn;
const clients: SigilClient[] = [];
let testId = 0;
let userId = 0;

beforeAll(async () => {
  auth = await startAuth({ ipRequestsPerMinute: 100_000, passkeyRequestsPerMinute: 100_000, allowedOrigins: [APP_ORIGIN] });
});
afterAll(async () => {
  await auth?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  webauthn?.uninstall();
  testId++;
});

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

/** A signed-in account on `client`, and a browser with WebAuthn on the app's origin. */
async function signedIn(client = tab(), browser: { synced?: boolean } = {}) {
  webauthn = installWebAuthn(APP_ORIGIN, browser);
  const email = `passkey${++userId}.${testId}@example.com`;
  await auth.auth.createUser({ email, password: PASSWORD, name: `User ${userId}` });
  await client.login({ email, password: PASSWORD });
  return { client, email, passkeys: createSigilPasskeys(client) };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('registering and managing passkeys', () => {
  it('registers several passkeys, lists, renames and deletes them', async () => {
    const { passkeys } = await signedIn();
    expect(passkeys.supported()).toBe(true);
    expect(await passkeys.autofillSupported()).toBe(true);
    const laptop = await passkeys.registerPasskey('Laptop');
    expect(laptop).toEqual({ id: expect.any(String), name: 'Laptop', createdAt: expect.any(Date), lastUsedAt: null });
    const second = installWebAuthn(APP_ORIGIN);
    const phone = await passkeys.registerPasskey();
    second.uninstall();
    expect(phone.name).toBe('Passkey 2');

    expect((await passkeys.listPasskeys()).map((p) => p.name)).toEqual(['Laptop', 'Passkey 2']);
    expect((await passkeys.renamePasskey(phone.id, 'Phone')).name).toBe('Phone');
    await passkeys.deletePasskey(laptop.id);
    expect((await passkeys.listPasskeys()).map((p) => p.id)).toEqual([phone.id]);
    await expect(passkeys.deletePasskey(laptop.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(passkeys.renamePasskey(phone.id, '')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it("the same authenticator twice is the browser's refusal (passkey_error); a cancelled dialog is passkey_cancelled", async () => {
    const { passkeys } = await signedIn();
    await passkeys.registerPasskey();
    const again = await passkeys.registerPasskey().catch((error: unknown) => error);
    expect(again).toBeInstanceOf(SigilClientError);
    expect(again).toMatchObject({ code: 'passkey_error' });
    expect((again as SigilClientError).cause).toBeInstanceOf(Error);
    const fresh = installWebAuthn(APP_ORIGIN);
    fresh.failNext('NotAllowedError');
    await expect(passkeys.registerPasskey()).rejects.toMatchObject({ code: 'passkey_cancelled' });
    fresh.uninstall();
  });

  it('signed out: not_logged_in, and nothing reaches the browser', async () => {
    webauthn = installWebAuthn(APP_ORIGIN);
    const passkeys = createSigilPasskeys(tab());
    await expect(passkeys.registerPasskey()).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(passkeys.listPasskeys()).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(webauthn.authenticator.credentials).toHaveLength(0);
  });

  it('a TypeError for anything but a client', () => {
    expect(() => createSigilPasskeys({} as SigilClient)).toThrow(TypeError);
  });
});

describe('signing in with a passkey', () => {
  it("passwordless: a new session of the passkey's account, announced as a login, with amr from the passkey", async () => {
    const { client, email, passkeys } = await signedIn(tab(), { synced: true });
    await passkeys.registerPasskey();
    await client.logout();

    const elsewhere = tab({ lockName: `other-${testId}`, channelName: `other-${testId}` });
    const events: AuthEvent[] = [];
    elsewhere.subscribe((event) => events.push(event));
    const user = await createSigilPasskeys(elsewhere).loginWithPasskey();
    expect(user.email).toBe(email);
    expect(elsewhere.user?.email).toBe(email);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['login', 'login']]);
    const token = (await elsewhere.getAccessToken())!;
    expect(claimsOf(token).amr).toEqual(['swk', 'user', 'mfa']);
    expect(webauthn.gets).toEqual([undefined]);
    // The session renews like any other.
    expect(await elsewhere.refresh()).not.toBe(token);
    expect((await createSigilPasskeys(elsewhere).listPasskeys())[0]!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('conditional UI: the request waits on the autofill; cancel() ends it as passkey_cancelled', async () => {
    const { client, passkeys } = await signedIn();
    await passkeys.registerPasskey();
    await client.logout();
    expect((await passkeys.loginWithPasskey({ conditional: true })).id).toBe(client.user!.id);
    expect(webauthn.gets).toEqual(['conditional']);

    await client.logout();
    webauthn.hold(true);
    const waiting = passkeys.loginWithPasskey({ conditional: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    passkeys.cancel();
    await expect(waiting).rejects.toMatchObject({ code: 'passkey_cancelled' });
    expect(client.isLoggedIn).toBe(false);
  });

  it('in cookie mode, the refresh token goes to the cookie and the session restores from it', async () => {
    const fetch = browserFetch(APP_ORIGIN);
    const { client, passkeys } = await signedIn(tab({ storage: 'cookie', fetch }));
    await passkeys.registerPasskey();
    await client.logout();
    await passkeys.loginWithPasskey();
    expect(fetch.jar.has('sigil_refresh')).toBe(true);
    const reloaded = tab({ storage: 'cookie', fetch, lockName: `reload-${testId}`, channelName: `reload-${testId}` });
    await reloaded.ready;
    expect(reloaded.user?.id).toBe(client.user?.id);
  });

  it('as the second step of a password sign-in with TOTP on: loginWithPasskey({ mfaToken })', async () => {
    const { client, email, passkeys } = await signedIn();
    await passkeys.registerPasskey();
    const account = createSigilAccount(client);
    const enrolment = await account.startTotpEnrolment();
    const { Secret, TOTP } = await import('otpauth');
    await account.confirmTotp(TOTP.generate({ secret: Secret.fromBase32(enrolment.secret) }));
    await client.logout();

    const first = await client.login({ email, password: PASSWORD });
    expect(first).toMatchObject({ status: 'mfa_required', methods: ['totp', 'recovery_code', 'passkey'] });
    if (first.status !== 'mfa_required') throw new Error('unreachable');
    const user = await passkeys.loginWithPasskey({ mfaToken: first.mfaToken });
    expect(user.email).toBe(email);
    expect(claimsOf((await client.getAccessToken())!).amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    await client.logout();
    await expect(passkeys.loginWithPasskey({ mfaToken: first.mfaToken })).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it("the server's refusals: invalid_credentials for an unknown passkey, and the session stays as it was", async () => {
    const { client, passkeys } = await signedIn();
    const credential = await passkeys.registerPasskey();
    await passkeys.deletePasskey(credential.id);
    const before = await client.getAccessToken();
    await expect(passkeys.loginWithPasskey()).rejects.toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(await client.getAccessToken()).toBe(before);
  });

  it('without WebAuthn: supported() is false and a sign-in is passkey_error', async () => {
    const passkeys = createSigilPasskeys(tab());
    expect(passkeys.supported()).toBe(false);
    expect(await passkeys.autofillSupported()).toBe(false);
    await expect(passkeys.loginWithPasskey()).rejects.toMatchObject({ code: 'passkey_error' });
  });
});
