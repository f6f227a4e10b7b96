import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilAccount, type SigilAccount } from './account.ts';
import {
  createSigilClient,
  SigilClientError,
  type AuthEvent,
  type LoginResult,
  type SigilClient,
  type SigilClientOptions,
} from './index.ts';
import { browserFetch, PASSWORD, startAuth, totpCode, type TestAuth } from './test-servers.ts';

// The second factor against the real @sigil/server: TOTP enrolment, the login's second step and
// recovery codes, with codes computed here at the server's clock.

const APP_ORIGIN = 'http://127.0.0.1:4200';
const STEP_MS = 30_000;

let auth: TestAuth;
/** The auth server's clock; moved a TOTP step forward between two codes of one account (each works once). */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;
const nextStep = () => void (offsetMs += STEP_MS);
const clients: SigilClient[] = [];
let testId = 0;
let userId = 0;

beforeAll(async () => {
  auth = await startAuth({ ipRequestsPerMinute: 100_000, allowedOrigins: [APP_ORIGIN], now: () => new Date(clock()) });
});
afterAll(async () => {
  await auth?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  testId++;
});

/** A client on a device of its own. */
function device(options: Partial<SigilClientOptions> = {}): SigilClient {
  const n = clients.length;
  const client = createSigilClient({
    issuer: auth.url,
    apiOrigins: [],
    lockName: `lock-${testId}-${n}`,
    channelName: `channel-${testId}-${n}`,
    ...options,
  });
  clients.push(client);
  return client;
}

/** A new account with TOTP on, enrolled from a signed-in client; its secret and recovery codes. */
async function withTotp(): Promise<{ email: string; secret: string; recoveryCodes: string[]; client: SigilClient; account: SigilAccount }> {
  const email = `mfa${++userId}@example.com`;
  await auth.auth.createUser({ email, password: PASSWORD, name: 'Mia' });
  const client = device();
  await client.login({ email, password: PASSWORD });
  const account = createSigilAccount(client);
  const { secret } = await account.startTotpEnrolment();
  const recoveryCodes = await account.confirmTotp(totpCode(secret, clock()));
  nextStep();
  return { email, secret, recoveryCodes, client, account };
}

/** The `mfa_required` result's token (and a failed test when the login signed in instead). */
function mfaTokenOf(result: LoginResult): string {
  expect(result.status).toBe('mfa_required');
  return result.status === 'mfa_required' ? result.mfaToken : '';
}

const claims = (token: string | null) =>
  JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('TOTP enrolment (@sigil/client/account)', () => {
  it('hands out the secret three ways, and turns TOTP on for the right first code', async () => {
    const email = `enrol${++userId}@example.com`;
    await auth.auth.createUser({ email, password: PASSWORD });
    const client = device();
    await client.login({ email, password: PASSWORD });
    const account = createSigilAccount(client);
    await expect(account.mfaStatus()).resolves.toEqual({ methods: [], totp: 'off', recoveryCodesRemaining: 0 });

    const enrolment = await account.startTotpEnrolment();
    expect(enrolment.secret).toMatch(/^[A-Z2-7]+$/);
    expect(enrolment.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(enrolment.otpauthUrl).searchParams.get('secret')).toBe(enrolment.secret);
    expect(enrolment.qrSvg).toMatch(/^<svg /);
    await expect(account.mfaStatus()).resolves.toMatchObject({ totp: 'pending', methods: [] });

    const wrong = await account.confirmTotp('000000').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(SigilClientError);
    expect(wrong).toMatchObject({ code: 'invalid_mfa', status: 400 });
    const codes = await account.confirmTotp(totpCode(enrolment.secret, clock()));
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    await expect(account.mfaStatus()).resolves.toEqual({ methods: ['totp', 'recovery_code'], totp: 'on', recoveryCodesRemaining: 10 });
    // The session that enrolled stays as it is.
    expect(client.isLoggedIn).toBe(true);
  });
});

describe('login with a second factor', () => {
  it('resolves to mfa_required with no session; verifyMfa signs in with the code', async () => {
    const { email, secret } = await withTotp();
    const client = device();
    const events: AuthEvent[] = [];
    client.subscribe((event) => events.push(event));

    const result = await client.login({ email, password: PASSWORD });
    expect(result).toEqual({ status: 'mfa_required', mfaToken: expect.any(String), methods: ['totp', 'recovery_code'] });
    expect(client.isLoggedIn).toBe(false);
    expect(events).toEqual([]);
    const mfaToken = mfaTokenOf(result);

    const wrong = await client.verifyMfa({ mfaToken, method: 'totp', code: '000000' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'invalid_mfa', status: 401 });
    expect(String((wrong as Error).message)).not.toContain(mfaToken);
    expect(client.isLoggedIn).toBe(false);

    const user = await client.verifyMfa({ mfaToken, method: 'totp', code: totpCode(secret, clock()) });
    expect(user).toMatchObject({ email, name: 'Mia' });
    expect(client.user).toEqual(user);
    expect(events).toEqual([expect.objectContaining({ type: 'login', reason: 'login', user })]);
    expect(claims(await client.getAccessToken())).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], auth_time: expect.any(Number) });

    // The token worked once.
    nextStep();
    await expect(client.verifyMfa({ mfaToken, method: 'totp', code: totpCode(secret, clock()) })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });

  it('keeps the wrong-password answer of a login as it was', async () => {
    const { email } = await withTotp();
    await expect(device().login({ email, password: 'not the password' })).rejects.toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    });
  });

  it('takes each recovery code once', async () => {
    const { email, recoveryCodes, account } = await withTotp();
    const client = device();
    const code = recoveryCodes[0]!;
    await client.verifyMfa({ mfaToken: mfaTokenOf(await client.login({ email, password: PASSWORD })), method: 'recovery_code', code });
    expect(client.isLoggedIn).toBe(true);
    const again = device();
    const mfaToken = mfaTokenOf(await again.login({ email, password: PASSWORD }));
    await expect(again.verifyMfa({ mfaToken, method: 'recovery_code', code })).rejects.toMatchObject({ code: 'invalid_mfa' });
    await expect(account.mfaStatus()).resolves.toMatchObject({ recoveryCodesRemaining: 9 });
  });

  it('in cookie mode: the second step sets the refresh cookie, and a reload restores the session', async () => {
    const { email, secret } = await withTotp();
    const browser = browserFetch(APP_ORIGIN);
    const tab = device({ storage: 'cookie', fetch: browser, restore: false });
    const mfaToken = mfaTokenOf(await tab.login({ email, password: PASSWORD }));
    expect(browser.jar.has('sigil_refresh')).toBe(false);
    await tab.verifyMfa({ mfaToken, method: 'totp', code: totpCode(secret, clock()) });
    expect(browser.jar.has('sigil_refresh')).toBe(true);

    const reloaded = device({ storage: 'cookie', fetch: browser });
    await reloaded.ready;
    expect(reloaded.user?.email).toBe(email);
    // A refreshed token keeps the sign-in's amr.
    expect(claims(await reloaded.getAccessToken())).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
  });
});

describe('recovery codes and turning TOTP off', () => {
  it('regenerates the codes with the password: the old ones stop working', async () => {
    const { email, recoveryCodes, account } = await withTotp();
    await expect(account.regenerateRecoveryCodes('not the password')).rejects.toMatchObject({ code: 'invalid_request' });
    const fresh = await account.regenerateRecoveryCodes(PASSWORD);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => recoveryCodes.includes(code))).toBe(false);

    const client = device();
    const old = mfaTokenOf(await client.login({ email, password: PASSWORD }));
    await expect(client.verifyMfa({ mfaToken: old, method: 'recovery_code', code: recoveryCodes[1]! })).rejects.toMatchObject({
      code: 'invalid_mfa',
    });
    const next = mfaTokenOf(await client.login({ email, password: PASSWORD }));
    await client.verifyMfa({ mfaToken: next, method: 'recovery_code', code: fresh[0]! });
    expect(client.isLoggedIn).toBe(true);
  });

  it('turns TOTP off with the password: the next login signs in at once', async () => {
    const { email, account } = await withTotp();
    await expect(account.disableTotp('not the password')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(account.mfaStatus()).resolves.toMatchObject({ totp: 'on' });
    await account.disableTotp(PASSWORD);
    await expect(account.mfaStatus()).resolves.toEqual({ methods: [], totp: 'off', recoveryCodesRemaining: 0 });
    await expect(device().login({ email, password: PASSWORD })).resolves.toMatchObject({ status: 'signed_in', user: { email } });
  });

  it('every second-factor call needs a session, and sends nothing without one', async () => {
    const account = createSigilAccount(device());
    auth.requests.length = 0;
    for (const call of [
      () => account.mfaStatus(),
      () => account.startTotpEnrolment(),
      () => account.confirmTotp('123456'),
      () => account.disableTotp(PASSWORD),
      () => account.regenerateRecoveryCodes(PASSWORD),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'not_logged_in' });
    }
    expect(auth.requests).toEqual([]);
  });
});
