import { Component } from '@angular/core';
import { renderPage } from '../testing/auth-server';
import { App } from './app';
import { createSigilAccount } from '@sigil/client/account';

@Component({ template: '<p>page</p>' })
class Page {}

describe('App shell', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  afterEach(() => page.destroy());

  it('shows the "verify your email" banner to an unverified user until the address is verified', async () => {
    page = await renderPage([{ path: '', component: App, children: [{ path: '', component: Page }] }], '/', { signedIn: true });
    expect(page.get('app-verify-banner').textContent).toContain('demo@sigil.dev');
    expect(page.get('nav a[href="/account"]').textContent).toBe('Account');
    // Followed in this browser (the verify page does this): the session is renewed and says so.
    await createSigilAccount(page.client).verifyEmail('tok');
    await page.harness.fixture.whenStable();
    expect(page.page().querySelector('app-verify-banner')).toBeNull();
  });

  it('shows no banner to a verified user', async () => {
    page = await renderPage([{ path: '', component: App, children: [{ path: '', component: Page }] }], '/', {
      signedIn: true,
      prepare: (server) => server.verify(),
    });
    expect(page.page().querySelector('app-verify-banner')).toBeNull();
  });
});
