import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthService, provideSigilAuth, SigilClientError, type SigilAuthEvent } from '@sigil/angular';
import type { SigilClient } from '@sigil/client';
import { ALICE, API, CAROL, ISSUER, MFA, PASSKEY, fakeAuthServer } from '../../src/testing/fake-auth-server';
import { PasskeyService } from './passkey.service';

@Component({ template: '' })
class Blank {}

const bytes = (text: string) => new TextEncoder().encode(text).buffer;

/**
 * The browser's WebAuthn for jsdom, which has none: `navigator.credentials` answering with one
 * credential (the fake server checks only its id; the real ceremony is tested in @sigil/client
 * against the real auth server). `refuse` makes the next call fail as a browser's would.
 */
function installBrowserWebAuthn() {
  const calls: Array<{ kind: 'create' | 'get'; mediation?: string }> = [];
  let refuse: string | undefined;
  const credential = (response: Record<string, unknown>) => ({
    id: PASSKEY.credentialId,
    rawId: bytes('cred-1'),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    getClientExtensionResults: () => ({}),
    response,
  });
  const answer = async <T>(kind: 'create' | 'get', mediation: string | undefined, value: T, signal?: AbortSignal): Promise<T> => {
    calls.push({ kind, mediation });
    if (refuse) {
      const name = refuse;
      refuse = undefined;
      throw new DOMException('refused', name);
    }
    if (mediation === 'conditional') {
      // The autofill waits for the user; here, for an abort.
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    return value;
  };
  Object.defineProperty(window, 'PublicKeyCredential', {
    configurable: true,
    value: Object.assign(function PublicKeyCredential() {}, { isConditionalMediationAvailable: async () => true }),
  });
  Object.defineProperty(navigator, 'credentials', {
    configurable: true,
    value: {
      create: (options: { signal?: AbortSignal }) =>
        answer(
          'create',
          undefined,
          credential({ clientDataJSON: bytes('{}'), attestationObject: bytes('att'), getTransports: () => ['internal'] }),
          options.signal,
        ),
      get: (options: { mediation?: string; signal?: AbortSignal }) =>
        answer(
          'get',
          options.mediation,
          credential({ clientDataJSON: bytes('{}'), authenticatorData: bytes('ad'), signature: bytes('sig'), userHandle: null }),
          options.signal,
        ),
    },
  });
  const input = document.createElement('input');
  input.setAttribute('autocomplete', 'username webauthn');
  document.body.append(input);
  return {
    calls,
    refuseNext: (name: string) => void (refuse = name),
    uninstall() {
      input.remove();
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
      delete (navigator as { credentials?: unknown }).credentials;
    },
  };
}

describe('PasskeyService', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilClient;
  let auth: AuthService;
  let passkeys: PasskeyService;
  let browser: ReturnType<typeof installBrowserWebAuthn>;
  let events: SigilAuthEvent['type'][];

  beforeEach(() => {
    server = fakeAuthServer();
    client = server.client();
    browser = installBrowserWebAuthn();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 'login', component: Blank }]), provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client })],
    });
    auth = TestBed.inject(AuthService);
    passkeys = TestBed.inject(PasskeyService);
    events = [];
    auth.events.subscribe((event) => events.push(event.type));
  });

  afterEach(() => {
    browser.uninstall();
    client.destroy();
  });

  const signIn = () => auth.login({ email: ALICE.email, password: 'correct horse' });

  it('registers, lists, renames and deletes passkeys of the signed-in user', async () => {
    expect(passkeys.supported()).toBe(true);
    await expect(passkeys.registerPasskey()).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(browser.calls).toEqual([]);
    await signIn();
    const created = await passkeys.registerPasskey('Laptop');
    expect(created).toEqual({ id: 'pk-1', name: 'Laptop', createdAt: new Date('2026-01-04T10:00:00.000Z'), lastUsedAt: null });
    const sent = server.state.passkeyCalls.at(-1)!;
    expect(sent.path).toBe('/auth/passkeys/registration');
    expect(sent.body).toMatchObject({ name: 'Laptop', response: { id: PASSKEY.credentialId, type: 'public-key' } });
    expect(await passkeys.listPasskeys()).toEqual([created]);
    expect((await passkeys.renamePasskey('pk-1', 'Work laptop')).name).toBe('Work laptop');
    await passkeys.deletePasskey('pk-1');
    expect(await passkeys.listPasskeys()).toEqual([]);
    await expect(passkeys.deletePasskey('pk-1')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('signs in with a passkey: AuthService.user is set before the login event', async () => {
    await signIn();
    await passkeys.registerPasskey();
    await auth.logout();
    events.length = 0;
    let userAtEvent: unknown;
    auth.events.subscribe((event) => (userAtEvent = event.type === 'login' ? auth.user() : userAtEvent));
    await expect(passkeys.loginWithPasskey()).resolves.toMatchObject({ email: ALICE.email });
    expect(auth.user()?.email).toBe(ALICE.email);
    expect(userAtEvent).toMatchObject({ email: ALICE.email });
    expect(events).toEqual(['login']);
    expect(server.state.passkeyCalls.at(-1)).toMatchObject({
      path: '/auth/passkeys/login',
      body: { response: { id: PASSKEY.credentialId } },
    });
  });

  it('the autofill (conditional UI) waits until cancel(), which rejects it with passkey_cancelled', async () => {
    expect(await passkeys.autofillSupported()).toBe(true);
    const waiting = passkeys.loginWithPasskey({ conditional: true });
    await vi.waitFor(() => expect(browser.calls).toEqual([{ kind: 'get', mediation: 'conditional' }]));
    passkeys.cancel();
    await expect(waiting).rejects.toMatchObject({ code: 'passkey_cancelled' });
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual([]);
  });

  it('completes the second step of a password sign-in with { mfaToken }', async () => {
    const first = await auth.login({ email: CAROL.email, password: MFA.password });
    if (first.status !== 'mfa_required') throw new Error('expected mfa_required');
    await auth.verifyMfa({ mfaToken: first.mfaToken, method: 'totp', code: MFA.code });
    await passkeys.registerPasskey();
    await auth.logout();
    const again = await auth.login({ email: CAROL.email, password: MFA.password });
    if (again.status !== 'mfa_required') throw new Error('expected mfa_required');
    await expect(passkeys.loginWithPasskey({ mfaToken: again.mfaToken })).resolves.toMatchObject({ email: CAROL.email });
    expect(server.state.passkeyCalls.filter((c) => c.path === '/auth/passkeys/login/options').at(-1)?.body).toEqual({
      mfa_token: again.mfaToken,
    });
    expect(auth.user()?.email).toBe(CAROL.email);
    await auth.logout();
    await expect(passkeys.loginWithPasskey({ mfaToken: again.mfaToken })).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it("the browser's refusals are SigilClientErrors: cancelled, or another failure", async () => {
    await signIn();
    browser.refuseNext('NotAllowedError');
    await expect(passkeys.registerPasskey()).rejects.toMatchObject({ code: 'passkey_cancelled' });
    browser.refuseNext('SecurityError');
    const error = await passkeys.loginWithPasskey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({ code: 'passkey_error' });
    // A server refusal keeps its own code, and the session stays.
    await expect(passkeys.loginWithPasskey()).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(auth.user()?.email).toBe(ALICE.email);
  });
});

describe('PasskeyService on the server platform (SSR)', () => {
  it('is not supported and rejects every call with not_logged_in', async () => {
    TestBed.configureTestingModule({
      providers: [{ provide: PLATFORM_ID, useValue: 'server' }, provideSigilAuth({ issuer: ISSUER, apiOrigins: [API] })],
    });
    const passkeys = TestBed.inject(PasskeyService);
    expect(passkeys.supported()).toBe(false);
    expect(await passkeys.autofillSupported()).toBe(false);
    await expect(passkeys.loginWithPasskey()).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(() => passkeys.cancel()).not.toThrow();
  });
});
