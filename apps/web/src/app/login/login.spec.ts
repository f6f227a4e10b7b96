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

/** The auth server's login endpoint as a `fetch`: one known account, problem+json otherwise. */
const authServer: typeof fetch = async (_input, init) => {
  const body = JSON.parse(String(init?.body)) as { email: string; password: string };
  if (body.email === USER.email && body.password === 'right password') {
    const tokens = { access_token: 'at', token_type: 'Bearer', expires_in: 900, expires_at: 0, refresh_token: 'rt', user: USER };
    return new Response(JSON.stringify(tokens), { status: 200, headers: { 'Content-Type': 'application/json' } });
  }
  if (body.email === 'unverified@sigil.dev') {
    const problem = { title: 'Email address not verified', status: 403, code: 'email_not_verified' };
    return new Response(JSON.stringify(problem), { status: 403, headers: { 'Content-Type': 'application/problem+json' } });
  }
  const problem = { title: 'Unauthorized', status: 401, code: 'invalid_credentials' };
  return new Response(JSON.stringify(problem), { status: 401, headers: { 'Content-Type': 'application/problem+json' } });
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

  it('ignores a returnUrl that points to another site', async () => {
    await harness.navigateByUrl('/login?returnUrl=%2F%2Fevil.example%2Fphish');
    fill('input#email', USER.email);
    fill('input#password', 'right password');
    await submit();
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/lessons'), { timeout: 10_000 });
  });
});
