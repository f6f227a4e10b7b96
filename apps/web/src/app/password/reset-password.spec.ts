import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { ToastService } from '../toast/toast.service';
import { renderPage } from '../../testing/auth-server';
import { ResetPassword } from './reset-password';

@Component({ template: '<p>stub</p>' })
class Stub {}

const routes = [
  { path: 'password/reset', component: ResetPassword },
  { path: 'password/forgot', component: Stub },
  { path: 'login', component: Stub },
];

describe('Reset-password page', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  afterEach(() => page.destroy());

  async function open(url = '/password/reset?token=tok-123') {
    page = await renderPage(routes, url);
  }
  function fillForm(password = 'a new long password', confirm = password) {
    page.fill('#reset-password', password);
    page.fill('#reset-confirm', confirm);
  }

  it('sets the new password with the token of the link, then goes to sign-in with a notice', async () => {
    await open();
    fillForm();
    await page.submit();
    expect(page.server.callsTo('/auth/password/reset')[0]?.body).toEqual({ token: 'tok-123', new_password: 'a new long password' });
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/login'), { timeout: 10_000 });
    expect(
      TestBed.inject(ToastService)
        .toasts()
        .map((t) => t.text),
    ).toContain('Your password was changed. Sign in with the new one.');
  });

  it('catches two different passwords before calling the server', async () => {
    await open();
    fillForm('a new long password', 'another one');
    await page.submit();
    expect(page.get('#reset-error').textContent).toContain('not the same');
    expect(page.server.calls).toEqual([]);
  });

  it('an expired or used link leads to a new one, focused', async () => {
    await open();
    page.server.answer('POST /auth/password/reset', 400, 'invalid_grant');
    fillForm();
    await page.submit();
    expect(page.get('[role=alert]').textContent).toContain('expired or was used already');
    expect(document.activeElement).toBe(page.get('a[href="/password/forgot"]'));
  });

  it("says what the server's password policy wants", async () => {
    await open();
    page.server.answer('POST /auth/password/reset', 400, 'invalid_request');
    fillForm('short', 'short');
    await page.submit();
    expect(page.get('#reset-error').textContent).toContain('at least 10 characters');
    expect(document.activeElement).toBe(page.get('#reset-password'));
  });

  it('without a token it shows no form, only the way to a new link', async () => {
    await open('/password/reset');
    expect(page.page().querySelector('form')).toBeNull();
    expect(page.get('[role=alert]').textContent).toContain('needs the link from your email');
  });
});
