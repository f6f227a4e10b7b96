import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthService, provideSigilAuth, SigilClientError, type SigilAuthEvent } from '@sigil/angular';
import type { SigilClient } from '@sigil/client';
import { ALICE, API, CAROL, ISSUER, LINKS, MFA, SESSIONS, fakeAuthServer } from '../../src/testing/fake-auth-server';
import { AccountService } from './account.service';

@Component({ template: '' })
class Blank {}

describe('AccountService', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilClient;
  let auth: AuthService;
  let account: AccountService;
  let events: SigilAuthEvent['type'][];

  beforeEach(() => {
    server = fakeAuthServer();
    client = server.client();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 'login', component: Blank }]), provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client })],
    });
    auth = TestBed.inject(AuthService);
    account = TestBed.inject(AccountService);
    events = [];
    auth.events.subscribe((event) => events.push(event.type));
  });

  afterEach(() => client.destroy());

  const signIn = () => auth.login({ email: ALICE.email, password: 'correct horse' });
  const lastCall = () => server.state.accountCalls.at(-1);

  it('signed-in calls reject with not_logged_in when nobody is signed in, sending nothing', async () => {
    await expect(account.requestEmailVerification()).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(account.sessions()).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(account.deleteAccount({ password: 'correct horse' })).rejects.toBeInstanceOf(SigilClientError);
    expect(server.state.accountCalls).toEqual([]);
  });

  it('verifying the address updates AuthService.user through the renewed session', async () => {
    await signIn();
    expect(auth.user()?.emailVerified).toBe(false);
    await account.requestEmailVerification();
    expect(lastCall()).toMatchObject({ method: 'POST', path: '/auth/email/verification' });
    await expect(account.verifyEmail(LINKS.verify)).resolves.toMatchObject({ email: ALICE.email, emailVerified: true });
    expect(auth.user()?.emailVerified).toBe(true);
    expect(server.state.refreshCalls).toBe(1);
    await expect(account.verifyEmail(LINKS.verify)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('lists the sessions with dates, and revokes another one', async () => {
    await signIn();
    const sessions = await account.sessions();
    expect(sessions).toEqual([
      {
        id: 's-1',
        createdAt: new Date(SESSIONS[0]!.created_at),
        lastUsedAt: new Date(SESSIONS[0]!.last_used_at),
        userAgent: SESSIONS[0]!.user_agent,
        current: true,
      },
      {
        id: 's-2',
        createdAt: new Date(SESSIONS[1]!.created_at),
        lastUsedAt: new Date(SESSIONS[1]!.last_used_at),
        userAgent: null,
        current: false,
      },
    ]);
    await account.revokeSession('s-2');
    expect(lastCall()).toMatchObject({ method: 'DELETE', path: '/auth/sessions/s-2' });
    await expect(account.revokeSession('s-9')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('changes the password and the email with the server field names', async () => {
    await signIn();
    await account.changePassword({ currentPassword: 'correct horse', newPassword: 'a much longer one' });
    expect(lastCall()?.body).toEqual({ current_password: 'correct horse', new_password: 'a much longer one' });
    await account.changeEmail({ newEmail: 'alice@new.example', password: 'a much longer one' });
    expect(lastCall()?.body).toEqual({ new_email: 'alice@new.example', password: 'a much longer one' });
    await expect(account.changeEmail({ newEmail: 'bob@example.com', password: 'a much longer one' })).rejects.toMatchObject({
      code: 'email_taken',
    });
    await expect(account.changeEmail({ newEmail: 'x@example.com', password: 'wrong' })).rejects.toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'password', message: 'incorrect password' }],
    });
    // A wrong password is no reason to renew the token.
    expect(server.state.refreshCalls).toBe(0);
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('deleting the account signs out with a logout event; a wrong password keeps everything', async () => {
    await signIn();
    await expect(account.deleteAccount({ password: 'wrong' })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(auth.isLoggedIn()).toBe(true);
    await account.deleteAccount({ password: 'correct horse' });
    expect(lastCall()).toMatchObject({ method: 'DELETE', path: '/auth/account', body: { password: 'correct horse' } });
    expect(auth.user()).toBeNull();
    expect(events).toEqual(['login', 'logout']);
  });

  it('enrols TOTP: the secret three ways, then the recovery codes for the right code', async () => {
    await signIn();
    await expect(account.mfaStatus()).resolves.toEqual({ methods: [], totp: 'off', recoveryCodesRemaining: 0 });
    await expect(account.startTotpEnrolment()).resolves.toEqual({ secret: MFA.secret, otpauthUrl: MFA.otpauthUrl, qrSvg: MFA.qrSvg });
    expect(lastCall()).toMatchObject({ method: 'POST', path: '/auth/mfa/totp' });
    await expect(account.confirmTotp('000000')).rejects.toMatchObject({ code: 'invalid_mfa', status: 400 });
    await expect(account.confirmTotp(MFA.code)).resolves.toEqual(MFA.recoveryCodes);
    expect(lastCall()).toMatchObject({ method: 'POST', path: '/auth/mfa/totp/confirm', body: { code: MFA.code } });
    // A wrong code is no reason to renew the token or end the session.
    expect(server.state.refreshCalls).toBe(0);
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('regenerates recovery codes and disables TOTP with the password', async () => {
    await signIn();
    await expect(account.regenerateRecoveryCodes('wrong')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(account.regenerateRecoveryCodes('correct horse')).resolves.toEqual(MFA.recoveryCodes.map((c) => `new-${c}`));
    expect(lastCall()).toMatchObject({ method: 'POST', path: '/auth/mfa/recovery-codes', body: { password: 'correct horse' } });
    await expect(account.disableTotp('wrong')).rejects.toMatchObject({ code: 'invalid_request' });
    await account.disableTotp('correct horse');
    expect(lastCall()).toMatchObject({ method: 'DELETE', path: '/auth/mfa/totp', body: { password: 'correct horse' } });
    await auth.logout();
    await expect(account.startTotpEnrolment()).rejects.toMatchObject({ code: 'not_logged_in' });
  });

  it('steps up with the password and the code: new tokens for the same user, no event', async () => {
    const first = await auth.login({ email: CAROL.email, password: MFA.password });
    await auth.verifyMfa({ mfaToken: first.status === 'mfa_required' ? first.mfaToken : '', method: 'totp', code: MFA.code });
    const before = await auth.getAccessToken();
    events.length = 0;
    // Without the code the account's second factor is asked for, and nothing changes.
    await expect(account.stepUp({ password: MFA.password })).rejects.toMatchObject({ code: 'mfa_required' });
    await expect(account.stepUp({ password: MFA.password, code: '000000' })).rejects.toMatchObject({ code: 'invalid_mfa' });
    expect(await auth.getAccessToken()).toBe(before);
    await expect(account.stepUp({ password: MFA.password, code: MFA.code })).resolves.toMatchObject({ email: CAROL.email });
    expect(server.state.mfaVerifyCalls.at(-1)).toMatchObject({ method: 'totp', code: MFA.code });
    expect(await auth.getAccessToken()).not.toBe(before);
    expect(auth.user()?.email).toBe(CAROL.email);
    expect(events).toEqual([]);
  });

  it('a password reset works signed out, and ends a session held here with a logout event', async () => {
    await account.requestPasswordReset(ALICE.email);
    expect(lastCall()?.body).toEqual({ email: ALICE.email });
    await expect(account.resetPassword({ token: LINKS.reset, newPassword: 'x' })).rejects.toMatchObject({ code: 'invalid_request' });
    await signIn();
    await account.resetPassword({ token: LINKS.reset, newPassword: 'a much longer one' });
    expect(lastCall()?.body).toEqual({ token: LINKS.reset, new_password: 'a much longer one' });
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual(['login', 'logout']);
    await expect(account.resetPassword({ token: LINKS.reset, newPassword: 'a much longer one' })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });
});

describe('AuthService.signup', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilClient;
  let auth: AuthService;
  let events: SigilAuthEvent['type'][];

  beforeEach(() => {
    server = fakeAuthServer();
    client = server.client();
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client })] });
    auth = TestBed.inject(AuthService);
    events = [];
    auth.events.subscribe((event) => events.push(event.type));
  });

  afterEach(() => client.destroy());

  it('signs in when the server sends tokens', async () => {
    const result = await auth.signup({ email: 'cat@example.com', password: 'long enough', name: 'Cat' });
    expect(result).toMatchObject({ user: { email: 'cat@example.com', name: 'Cat', emailVerified: false }, verificationRequired: false });
    expect(auth.user()?.email).toBe('cat@example.com');
    expect(events).toEqual(['login']);
  });

  it('starts no session and fires no event when the address must be verified first', async () => {
    server.state.verificationRequired = true;
    const result = await auth.signup({ email: 'dan@example.com', password: 'long enough' });
    expect(result).toMatchObject({ user: { email: 'dan@example.com' }, verificationRequired: true });
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual([]);
  });
});

describe('AccountService on the server platform', () => {
  it('rejects every call with not_logged_in', async () => {
    TestBed.configureTestingModule({
      providers: [{ provide: PLATFORM_ID, useValue: 'server' }, provideRouter([]), provideSigilAuth({ issuer: ISSUER, apiOrigins: [API] })],
    });
    const account = TestBed.inject(AccountService);
    await expect(account.requestPasswordReset('a@example.com')).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(account.verifyEmail(LINKS.verify)).rejects.toMatchObject({ code: 'not_logged_in' });
  });
});
