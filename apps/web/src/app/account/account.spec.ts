import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { ToastService } from '../toast/toast.service';
import { PASSWORD, renderPage } from '../../testing/auth-server';
import { Account } from './account';

@Component({ template: '<p>stub</p>' })
class Stub {}

const routes = [
  { path: 'account', component: Account },
  { path: 'login', component: Stub },
];

describe('Account page', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  beforeEach(async () => {
    page = await renderPage(routes, '/account', { signedIn: true });
    await vi.waitFor(() => expect(page.page().querySelectorAll('.session')).toHaveLength(2), { timeout: 10_000 });
  });
  afterEach(() => page.destroy());

  describe('change password', () => {
    it('sends the current and the new password and confirms politely', async () => {
      page.fill('#current-password', PASSWORD);
      page.fill('#new-password', 'a new long password');
      await page.submit('app-change-password form');
      expect(page.server.callsTo('/auth/password')[0]?.body).toEqual({ current_password: PASSWORD, new_password: 'a new long password' });
      expect(page.get('app-change-password [role=status]').textContent).toContain('Your password was changed');
      expect(page.get<HTMLInputElement>('#current-password').value).toBe('');
    });

    it('a wrong current password is pointed out on its field', async () => {
      page.server.wrongPassword('POST /auth/password', 'current_password');
      page.fill('#current-password', 'wrong');
      page.fill('#new-password', 'a new long password');
      await page.submit('app-change-password form');
      expect(page.get('#password-error').textContent).toBe('The current password is not correct.');
      expect(page.get('#current-password').getAttribute('aria-invalid')).toBe('true');
      expect(document.activeElement).toBe(page.get('#current-password'));
    });
  });

  describe('change email', () => {
    it('shows the address in use and sends the new one with the password', async () => {
      expect(page.get('app-change-email').textContent).toContain('demo@sigil.dev');
      page.fill('#new-email', 'moved@example.com');
      page.fill('#email-password', PASSWORD);
      await page.submit('app-change-email form');
      expect(page.server.callsTo('/auth/email/change')[0]?.body).toEqual({ new_email: 'moved@example.com', password: PASSWORD });
      expect(page.get('app-change-email [role=status]').textContent).toContain('We sent a link to moved@example.com');
    });

    it.each([
      ['a wrong password', 'The password is not correct.', '#email-password'],
      ['an address in use', 'Another account uses this address.', '#new-email'],
    ])('%s: says so on the right field', async (what, message, field) => {
      if (what === 'a wrong password') page.server.wrongPassword('POST /auth/email/change');
      else page.server.answer('POST /auth/email/change', 409, 'email_taken');
      page.fill('#new-email', 'moved@example.com');
      page.fill('#email-password', PASSWORD);
      await page.submit('app-change-email form');
      expect(page.get('#email-error').textContent).toBe(message);
      expect(document.activeElement).toBe(page.get(field));
    });
  });

  describe('sessions', () => {
    it('lists every device by name with when it was last used, this one marked and first', () => {
      const rows = [...page.page().querySelectorAll('.session')];
      expect(rows[0]!.textContent).toContain('Chrome on Linux');
      expect(rows[0]!.textContent).toContain('This device');
      expect(rows[0]!.querySelector('button')).toBeNull();
      expect(rows[1]!.textContent).toContain('Safari on iPhone');
      expect(rows[1]!.textContent).toContain('Last used');
      expect(rows[1]!.querySelector('button')?.getAttribute('aria-label')).toBe('Sign out Safari on iPhone');
    });

    it('signs another device out, announces it and keeps focus in the list', async () => {
      await page.click('.session button');
      expect(page.server.callsTo('/auth/sessions/s-phone')).toEqual([expect.objectContaining({ method: 'DELETE' })]);
      expect(page.page().querySelectorAll('.session')).toHaveLength(1);
      expect(page.get('app-sessions-list [role=status]').textContent).toContain('Safari on iPhone was signed out.');
      expect(document.activeElement).toBe(page.get('#sessions-title'));
    });
  });

  describe('delete account', () => {
    it('a wrong password keeps the account and says so', async () => {
      page.server.wrongPassword('DELETE /auth/account');
      page.fill('#delete-password', 'wrong');
      await page.submit('app-delete-account form');
      expect(page.get('#delete-error').textContent).toBe('The password is not correct.');
      expect(TestBed.inject(AuthService).isLoggedIn()).toBe(true);
    });

    it('deletes with the password, signs out and goes back to sign-in', async () => {
      page.fill('#delete-password', PASSWORD);
      await page.submit('app-delete-account form');
      expect(page.server.callsTo('/auth/account')).toEqual([expect.objectContaining({ method: 'DELETE', body: { password: PASSWORD } })]);
      await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/login'), { timeout: 10_000 });
      expect(TestBed.inject(AuthService).isLoggedIn()).toBe(false);
      expect(
        TestBed.inject(ToastService)
          .toasts()
          .map((t) => t.text),
      ).toContain('Your account was deleted.');
    });
  });
});
