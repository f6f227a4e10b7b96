import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { localSession, SigilClientError, type SigilClient } from '@sigil/client';
import { ALICE, API, CAROL, ISSUER, MFA, fakeAuthServer } from '../testing/fake-auth-server';
import type { SigilAuthEvent } from './auth-event';
import { AuthService } from './auth.service';
import { provideSigilAuth } from './provide';

@Component({ template: '' })
class Blank {}

describe('AuthService', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilClient;
  let auth: AuthService;
  let events: SigilAuthEvent['type'][];

  beforeEach(() => {
    server = fakeAuthServer();
    client = server.client();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 'login', component: Blank }]), provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client })],
    });
    auth = TestBed.inject(AuthService);
    events = [];
    auth.events.subscribe((event) => events.push(event.type));
  });

  afterEach(() => client.destroy());

  it('starts logged out', async () => {
    expect(auth.user()).toBeNull();
    expect(auth.isLoggedIn()).toBe(false);
    expect(auth.expiresAt()).toBeNull();
    await expect(auth.ready).resolves.toBeUndefined();
  });

  it("keeps the interceptor's helpers out of its public members", () => {
    for (const name of ['tokenAfterUnauthorized', 'expireSession', 'expire', 'end', 'client', 'config', 'ngOnDestroy', 'whenReady']) {
      expect(name in auth, name).toBe(false);
    }
  });

  it('refresh() without a session rejects with not_logged_in, as the client does', async () => {
    await expect(auth.refresh()).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(events).toEqual([]);
  });

  it('login fills the signals and announces it', async () => {
    const before = Date.now();
    await expect(auth.login({ email: ALICE.email, password: 'correct horse' })).resolves.toMatchObject({
      status: 'signed_in',
      user: { name: 'Alice' },
    });
    expect(auth.user()?.email).toBe(ALICE.email);
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.hasRole('admin')).toBe(true);
    expect(auth.hasRole('root')).toBe(false);
    // expires_in 900 s, measured from receipt.
    expect(auth.expiresAt()).toBeGreaterThanOrEqual(before + 899_000);
    expect(events).toEqual(['login']);
  });

  it('a wrong password rejects with the server code and leaves the user logged out', async () => {
    const error = await auth.login({ email: ALICE.email, password: 'wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilClientError);
    expect((error as SigilClientError).code).toBe('invalid_credentials');
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual([]);
  });

  it('login of an account with a second factor resolves to mfa_required; verifyMfa then signs in', async () => {
    const result = await auth.login({ email: CAROL.email, password: MFA.password });
    expect(result).toEqual({ status: 'mfa_required', mfaToken: 'mfa-1', methods: ['totp', 'recovery_code'] });
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual([]);

    const mfaToken = result.status === 'mfa_required' ? result.mfaToken : '';
    const wrong = await auth.verifyMfa({ mfaToken, method: 'totp', code: '000000' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'invalid_mfa', status: 401 });
    expect(auth.isLoggedIn()).toBe(false);

    await expect(auth.verifyMfa({ mfaToken, method: 'totp', code: MFA.code })).resolves.toMatchObject({ email: CAROL.email });
    expect(server.state.mfaVerifyCalls.at(-1)).toEqual({ mfa_token: mfaToken, method: 'totp', code: MFA.code });
    expect(auth.user()?.email).toBe(CAROL.email);
    expect(events).toEqual(['login']);
    // The mfa_token worked once.
    await expect(auth.verifyMfa({ mfaToken, method: 'totp', code: MFA.code })).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('verifyMfa takes a recovery code, once', async () => {
    const first = await auth.login({ email: CAROL.email, password: MFA.password });
    const mfaToken = first.status === 'mfa_required' ? first.mfaToken : '';
    await auth.verifyMfa({ mfaToken, method: 'recovery_code', code: MFA.recoveryCodes[0]! });
    expect(auth.isLoggedIn()).toBe(true);
    const again = await auth.login({ email: CAROL.email, password: MFA.password });
    const next = again.status === 'mfa_required' ? again.mfaToken : '';
    await expect(auth.verifyMfa({ mfaToken: next, method: 'recovery_code', code: MFA.recoveryCodes[0]! })).rejects.toMatchObject({
      code: 'invalid_mfa',
    });
  });

  it('refresh rotates the token; concurrent calls share one request', async () => {
    await auth.login({ email: ALICE.email, password: 'correct horse' });
    const tokens = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(tokens).toEqual(['at-2', 'at-2', 'at-2']);
    expect(server.state.refreshCalls).toBe(1);
    await expect(auth.getAccessToken()).resolves.toBe('at-2');
  });

  it('logout clears the signals, tells the server and announces it', async () => {
    await auth.login({ email: ALICE.email, password: 'correct horse' });
    await auth.logout();
    expect(auth.isLoggedIn()).toBe(false);
    expect(auth.user()).toBeNull();
    expect(server.state.logoutCalls).toBe(1);
    expect(events).toEqual(['login', 'logout']);
  });

  it('follows state changes made on the client directly (e.g. another tab)', async () => {
    await client.login({ email: ALICE.email, password: 'correct horse' });
    expect(auth.user()?.name).toBe('Alice');
    await client.logout();
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('a refused refresh ends the session with one session_expired event', async () => {
    await auth.login({ email: ALICE.email, password: 'correct horse' });
    server.state.refuseRefresh = true;
    await expect(auth.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    await vi.waitFor(() => expect(events).toEqual(['login', 'session_expired']), { timeout: 10_000 });
    expect(auth.isLoggedIn()).toBe(false);
  });
});

describe('AuthService on the server platform', () => {
  it('creates no client, reports logged out and refuses to log in', async () => {
    TestBed.configureTestingModule({
      providers: [
        { provide: PLATFORM_ID, useValue: 'server' },
        provideRouter([]),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], storage: localSession() }),
      ],
    });
    const auth = TestBed.inject(AuthService);
    expect(auth.isLoggedIn()).toBe(false);
    await expect(auth.ready).resolves.toBeUndefined();
    await expect(auth.getAccessToken()).resolves.toBeNull();
    await expect(auth.login({ email: 'a@b.c', password: 'x' })).rejects.toBeInstanceOf(SigilClientError);
    await expect(auth.verifyMfa({ mfaToken: 'm', method: 'totp', code: '1' })).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(auth.refresh()).rejects.toMatchObject({ code: 'not_logged_in' });
  });
});

describe('AuthService without provideSigilAuth', () => {
  it('says what is missing', () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    expect(() => TestBed.inject(AuthService)).toThrow(/provideSigilAuth/);
  });
});

describe('provideSigilAuth', () => {
  it.each([
    [{ issuer: 'not a url', apiOrigins: [] }],
    [{ issuer: ISSUER, apiOrigins: ['https://api.example.com/path'] }],
    [{ issuer: ISSUER, apiOrigins: 'https://api.example.com' }],
    [{ issuer: ISSUER, apiOrigins: [], storage: 'session' }],
    // The names of createSigilClient are not taken: localSession() and cookieSession() are.
    [{ issuer: ISSUER, apiOrigins: [], storage: 'cookie' }],
    [{ issuer: ISSUER, apiOrigins: [], loginRoute: 'login' }],
  ])('rejects a bad config at setup: %j', (config) => {
    expect(() => provideSigilAuth(config as never)).toThrow(TypeError);
  });
});
