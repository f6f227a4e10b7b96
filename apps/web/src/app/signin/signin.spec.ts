import { renderRedirectPage } from '../../testing/auth-server';
import { SignIn } from './signin';

describe('Sign-in page (redirect flow)', () => {
  let page: Awaited<ReturnType<typeof renderRedirectPage>>;
  afterEach(() => page.destroy());

  it("sends the browser to the auth server's page as sigil-demo, to come back to returnUrl", async () => {
    page = await renderRedirectPage([{ path: 'signin', component: SignIn }], '/signin?returnUrl=%2Fprofile');
    const button = page.page().querySelector<HTMLButtonElement>('button')!;
    expect(button.textContent).toContain('Sign in with Sigil');
    expect(button.disabled).toBe(false);
    expect(page.page().querySelector('[role=alert]')!.textContent).toBe('');
    await page.click('button');
    const authorize = new URL(page.navigations[0]!);
    expect(authorize.origin + authorize.pathname).toBe('http://auth.test/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('sigil-demo');
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:4200/auth/callback');
    expect(button.textContent).toContain('Opening the sign-in page');
  });

  it('explains a sign-in the callback refused, from its code', async () => {
    page = await renderRedirectPage([{ path: 'signin', component: SignIn }], '/signin?error=access_denied');
    expect(page.page().querySelector('[role=alert]')!.textContent).toBe('The sign-in was cancelled.');
  });

  it('says so when the auth server cannot be reached, and lets the user try again', async () => {
    page = await renderRedirectPage([{ path: 'signin', component: SignIn }], '/signin');
    page.server.answer('GET /.well-known/openid-configuration', 503, 'unavailable');
    await page.click('button');
    expect(page.navigations).toEqual([]);
    expect(page.page().querySelector('[role=alert]')!.textContent).toContain('cannot be reached');
    expect(page.page().querySelector<HTMLButtonElement>('button')!.disabled).toBe(false);
  });
});
