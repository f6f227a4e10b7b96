import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { createSigilClient, type SigilClient } from '@sigil/client';
import { provideSigilAuth } from '@sigil/angular';
import { Login } from './login';

@Component({ template: '<p>lessons page</p>' })
class LessonsStub {}

const ISSUER = 'http://auth.test';
const USER = { id: 'u1', email: 'demo@sigil.dev', name: 'Demo User', roles: [] };

/** An account with TOTP: its password answers `mfa_required`; `MFA_CODE` or `RECOVERY_CODE` finish the sign-in. */
const MFA_USER = { id: 'u2', email: 'mfa@sigil.dev', name: 'Two Step', roles: [] };
const MFA_CODE = '123456';
const RECOVERY_CODE = 'abcd-efgh-ijkl';
/** `verify` answers 400 invalid_grant for the mfa token of this address: the step has expired. */
const EXPIRING = 'expiring@sigil.dev';

function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}
const tokens = (user: typeof USER) =>
  json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 900, expires_at: 0, refresh_token: 'rt', user });
const problem = (status: number, code: string, extra: object = {}) =>
  json(status, { title: code, status, code, ...extra }, 'application/problem+json');

/** The auth server's login endpoints as a `fetch`: the accounts above, problem+json otherwise. */
const authServer: typeof fetch = async (input, init) => {
  const body = JSON.parse(String(init?.body)) as Record<string, string>;
  if (new URL(String(input)).pathname === '/auth/mfa/verify') {
    if (body['mfa_token'] === `mfa-token-${EXPIRING}`) return problem(400, 'invalid_grant');
    const right = body['method'] === 'totp' ? body['code'] === MFA_CODE : body['code'] === RECOVERY_CODE;
    return right && body['mfa_token'] === `mfa-token-${MFA_USER.email}` ? tokens(MFA_USER) : problem(401, 'invalid_mfa');
  }
  if (body['email'] === USER.email && body['password'] === 'right password') return tokens(USER);
  if ((body['email'] === MFA_USER.email || body['email'] === EXPIRING) && body['password'] === 'right password') {
    return problem(403, 'mfa_required', { mfa_token: `mfa-token-${body['email']}`, methods: ['totp', 'recovery_code'], expires_in: 300 });
  }
  if (body['email'] === 'unverified@sigil.dev') return problem(403, 'email_not_verified');
  return problem(401, 'invalid_credentials');
};

describe('Login page', () => {
  let client: SigilClient;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    client = createSigilClient({ issuer: ISSUER, apiOrigins: [], fetch: authServer });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: Login },
          { path: 'lessons', component: LessonsStub },
          { path: 'elsewhere', component: LessonsStub },
          { path: 'signup', component: LessonsStub },
          { path: 'password/forgot', component: LessonsStub },
        ]),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [], client }),
      ],
    });
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => client.destroy());

  function fill(selector: string, value: string): void {
    const input = harness.routeNativeElement!.querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  async function submit(): Promise<void> {
    harness.routeNativeElement!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() => expect(harness.routeNativeElement!.querySelector('button[type=submit]')!.hasAttribute('disabled')).toBe(false), {
      timeout: 10_000,
    });
    await harness.fixture.whenStable();
  }

  it('has labelled email and password fields, a submit button and a live error region', async () => {
    await harness.navigateByUrl('/login');
    const root = harness.routeNativeElement!;
    expect(root.querySelector('label[for=email]')?.textContent).toContain('Email');
    expect(root.querySelector('input#email')?.getAttribute('type')).toBe('email');
    expect(root.querySelector('input#password')?.getAttribute('type')).toBe('password');
    expect(root.querySelector('button[type=submit]')).not.toBeNull();
    expect(root.querySelector('#login-error')?.getAttribute('aria-live')).toBe('assertive');
  });

  it('links to "Forgot password?" and "Create account"', async () => {
    await harness.navigateByUrl('/login');
    const links = [...harness.routeNativeElement!.querySelectorAll('a')].map((a) => [a.textContent?.trim(), a.getAttribute('href')]);
    expect(links).toEqual([
      ['Forgot password?', '/password/forgot'],
      ['Create account', '/signup'],
    ]);
  });

  it('says to verify the address first when the server requires it', async () => {
    await harness.navigateByUrl('/login');
    fill('input#email', 'unverified@sigil.dev');
    fill('input#password', 'right password');
    await submit();
    expect(harness.routeNativeElement!.querySelector('#login-error')?.textContent?.trim()).toBe(
      'Verify your email address first: we sent you a new link.',
    );
  });

  it('shows "Invalid email or password" for wrong credentials and clears the password', async () => {
    await harness.navigateByUrl('/login');
    fill('input#email', USER.email);
    fill('input#password', 'wrong password');
    await submit();
    const root = harness.routeNativeElement!;
    expect(root.querySelector('#login-error')?.textContent?.trim()).toBe('Invalid email or password');
    expect(root.querySelector<HTMLInputElement>('input#password')?.value).toBe('');
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('signs in and goes to the safe returnUrl', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2Felsewhere');
    fill('input#email', USER.email);
    fill('input#password', 'right password');
    await submit();
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/elsewhere'), { timeout: 10_000 });
  });

  const text = (selector: string) => harness.routeNativeElement!.querySelector(selector)?.textContent?.trim();

  async function passwordStep(email: string): Promise<void> {
    fill('input#email', email);
    fill('input#password', 'right password');
    await submit();
  }

  it('asks for the authenticator code after the right password, then signs in', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2Felsewhere');
    await passwordStep(MFA_USER.email);
    expect(text('h1')).toBe('Two-step verification');
    expect(text('label[for=code]')).toBe('Authentication code');
    const code = harness.routeNativeElement!.querySelector<HTMLInputElement>('input#code')!;
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    await vi.waitFor(() => expect(document.activeElement).toBe(code), { timeout: 10_000 });
    expect(harness.routeNativeElement!.querySelector('input#password')).toBeNull();
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Felsewhere');

    fill('input#code', '000000');
    await submit();
    expect(text('#code-error')).toBe('That code is not right. Check your authenticator app and try again.');
    expect(harness.routeNativeElement!.querySelector<HTMLInputElement>('input#code')!.value).toBe('');

    fill('input#code', ` ${MFA_CODE.slice(0, 3)} ${MFA_CODE.slice(3)} `);
    await submit();
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/elsewhere'), { timeout: 10_000 });
  });

  it('takes a recovery code instead', async () => {
    await harness.navigateByUrl('/login');
    await passwordStep(MFA_USER.email);
    const other = [...harness.routeNativeElement!.querySelectorAll('button[type=button]')].find((b) =>
      b.textContent?.includes('recovery code'),
    );
    (other as HTMLButtonElement).click();
    await harness.fixture.whenStable();
    expect(text('label[for=code]')).toBe('Recovery code');
    expect(text('button[type=button]')).toBe('Use your authenticator app instead');
    fill('input#code', RECOVERY_CODE);
    await submit();
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/lessons'), { timeout: 10_000 });
  });

  it('goes back to the password when the second step expired, and on "Start over"', async () => {
    await harness.navigateByUrl('/login');
    await passwordStep(EXPIRING);
    fill('input#code', MFA_CODE);
    await submit();
    expect(text('h1')).toBe('Sign in');
    expect(text('#login-error')).toBe('Your sign-in timed out. Enter your password again.');

    await passwordStep(EXPIRING);
    const startOver = [...harness.routeNativeElement!.querySelectorAll('button[type=button]')].find(
      (b) => b.textContent?.trim() === 'Start over',
    );
    (startOver as HTMLButtonElement).click();
    await harness.fixture.whenStable();
    expect(text('h1')).toBe('Sign in');
    expect(text('#login-error')).toBe('');
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('ignores a returnUrl that points to another site', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2F%2Fevil.example%2Fphish');
    fill('input#email', USER.email);
    fill('input#password', 'right password');
    await submit();
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/lessons'), { timeout: 10_000 });
  });
});
