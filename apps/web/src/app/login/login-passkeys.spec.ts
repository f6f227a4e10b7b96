import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { renderPage } from '../../testing/auth-server';
import { installWebAuthn } from '../../testing/webauthn';
import { Login } from './login';

@Component({ template: '<p>lessons page</p>' })
class LessonsStub {}

const routes = [
  { path: 'login', component: Login },
  { path: 'lessons', component: LessonsStub },
];

describe('Login page: passkeys', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  let browser: ReturnType<typeof installWebAuthn> | undefined;
  afterEach(() => {
    page.destroy();
    browser?.uninstall();
    browser = undefined;
  });

  /** The login page with WebAuthn in the browser and, unless `registered` is false, a passkey on the account. */
  async function open(registered = true) {
    browser = installWebAuthn();
    page = await renderPage(routes, '/login', { prepare: (server) => registered && server.addPasskey('Laptop') });
    await vi.waitFor(() => expect(browser!.calls).toEqual([{ kind: 'get', mediation: 'conditional' }]), { timeout: 10_000 });
  }

  const signedInAtLessons = () =>
    vi.waitFor(
      () => {
        expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
        expect(TestBed.inject(Router).url).toBe('/lessons');
      },
      { timeout: 10_000 },
    );

  it('offers no passkey button in a browser without passkeys; the email field asks for passkeys in its autofill anyway', async () => {
    page = await renderPage(routes, '/login');
    expect(page.get('#email').getAttribute('autocomplete')).toBe('username webauthn');
    expect(page.page().textContent).not.toContain('Sign in with a passkey');
  });

  it('waits on the autofill from the start, and the passkey picked there signs in', async () => {
    await open();
    expect(page.server.callsTo('/auth/passkeys/login')).toEqual([]);
    browser!.pickFromAutofill();
    await signedInAtLessons();
    expect(page.server.callsTo('/auth/passkeys/login')).toHaveLength(1);
  });

  it('"Sign in with a passkey" ends the autofill request quietly and signs in with the browser dialog', async () => {
    await open();
    await page.click('.passkey-button');
    await signedInAtLessons();
    expect(browser!.calls).toEqual([
      { kind: 'get', mediation: 'conditional' },
      { kind: 'get', mediation: undefined },
    ]);
  });

  it.each([
    ['cancelled in the browser', true, 'The passkey sign-in was cancelled. Try again, or use your password.'],
    ['unknown to the server', false, 'This passkey does not belong to an account here. Try another one, or your password.'],
  ])('a passkey %s is said in the live region, and the autofill is offered again', async (_, registered, message) => {
    await open(registered);
    if (registered) browser!.refuseNext('NotAllowedError');
    await page.click('.passkey-button');
    await vi.waitFor(() => expect(page.get('#login-error').textContent?.trim()).toBe(message), { timeout: 10_000 });
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    await vi.waitFor(() => expect(browser!.calls.at(-1)).toEqual({ kind: 'get', mediation: 'conditional' }), { timeout: 10_000 });
  });

  it('offers a passkey as the second step when the account lists one, and signs in with it and the mfa token', async () => {
    browser = installWebAuthn();
    page = await renderPage(routes, '/login', {
      prepare: (server) => {
        server.addPasskey('Laptop');
        server.answer('POST /auth/login', 403, {
          status: 403,
          code: 'mfa_required',
          mfa_token: 'mfa-1',
          methods: ['totp', 'recovery_code', 'passkey'],
          expires_in: 300,
        });
      },
    });
    page.fill('#email', 'demo@sigil.dev');
    page.fill('#password', 'the right password');
    await page.submit('form');
    const button = [...page.page().querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Use a passkey instead');
    expect(button).toBeDefined();
    button!.click();
    await signedInAtLessons();
    expect(page.server.callsTo('/auth/passkeys/login').at(-1)?.body).toMatchObject({
      mfa_token: 'mfa-1',
      response: { type: 'public-key' },
    });
  });
});
