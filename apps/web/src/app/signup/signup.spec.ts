import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { renderPage, USER } from '../../testing/auth-server';
import { Signup } from './signup';

@Component({ template: '<p>stub</p>' })
class Stub {}

const routes = [
  { path: 'signup', component: Signup },
  { path: 'lessons', component: Stub },
  { path: 'login', component: Stub },
];

describe('Sign-up page', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;

  beforeEach(async () => {
    page = await renderPage(routes, '/signup');
  });
  afterEach(() => page.destroy());

  function fillForm(email = 'new@example.com', password = 'long enough password') {
    page.fill('#signup-name', 'Nia');
    page.fill('#signup-email', email);
    page.fill('#signup-password', password);
  }

  it('has labelled fields with the right autocomplete, a password hint and a live error region', () => {
    expect(page.get('label[for=signup-email]').textContent).toContain('Email');
    expect(page.get('#signup-password').getAttribute('autocomplete')).toBe('new-password');
    expect(page.get('#signup-password').getAttribute('aria-describedby')).toContain('signup-password-hint');
    expect(page.get('#signup-error').getAttribute('aria-live')).toBe('assertive');
    expect(page.get('a[href="/login"]').textContent).toContain('Sign in');
  });

  it('signs the new user in and goes to the lessons when the server sends tokens', async () => {
    fillForm();
    await page.submit();
    expect(page.server.callsTo('/auth/signup')[0]?.body).toEqual({
      email: 'new@example.com',
      password: 'long enough password',
      name: 'Nia',
    });
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/lessons'), { timeout: 10_000 });
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
  });

  it('says "check your inbox" and moves focus there when the address must be verified first', async () => {
    page.server.answer('POST /auth/signup', 201, { user: { ...USER, email: 'new@example.com' }, email_verification_required: true });
    fillForm();
    await page.submit();
    expect(page.get('h1').textContent).toContain('Check your inbox');
    expect(page.get('[role=status]').textContent).toContain('new@example.com');
    expect(document.activeElement).toBe(page.get('h1'));
    expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/signup');
  });

  it('says the address is taken, marks the email field and focuses it', async () => {
    page.server.answer('POST /auth/signup', 409, 'email_taken');
    fillForm();
    await page.submit();
    expect(page.get('#signup-error').textContent).toContain('already exists');
    expect(page.get('#signup-email').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(page.get('#signup-email'));
  });

  it("points at the password when the server's policy refuses it", async () => {
    page.server.answer('POST /auth/signup', 400, {
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      code: 'invalid_request',
      errors: [{ path: 'password', message: 'password must be at least 10 characters' }],
    });
    fillForm('new@example.com', 'short');
    await page.submit();
    expect(page.get('#signup-error').textContent).toContain('at least 10 characters');
    expect(page.get('#signup-password').getAttribute('aria-invalid')).toBe('true');
  });

  it('asks for the missing fields without calling the server', async () => {
    await page.submit();
    expect(page.get('#signup-error').textContent).toContain('Enter your email');
    expect(page.server.calls).toEqual([]);
  });
});
