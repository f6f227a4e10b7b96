import { renderPage } from '../../testing/auth-server';
import { ForgotPassword } from './forgot-password';

describe('Forgot-password page', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;

  beforeEach(async () => {
    page = await renderPage([{ path: 'password/forgot', component: ForgotPassword }], '/password/forgot');
  });
  afterEach(() => page.destroy());

  it('asks for a link and answers without saying whether the account exists', async () => {
    page.fill('#forgot-email', 'someone@example.com');
    await page.submit();
    expect(page.server.callsTo('/auth/password/forgot')).toEqual([
      expect.objectContaining({ method: 'POST', body: { email: 'someone@example.com' } }),
    ]);
    expect(page.get('[role=status]').textContent).toContain('If an account uses someone@example.com');
    expect(document.activeElement).toBe(page.get('h1'));
  });

  it('refuses what is not an address before calling the server', async () => {
    page.fill('#forgot-email', 'nope');
    await page.submit();
    expect(page.get('#forgot-error').textContent).toContain('email address');
    expect(page.server.calls).toEqual([]);
    expect(document.activeElement).toBe(page.get('#forgot-email'));
  });

  it('says how long to wait when rate limited', async () => {
    page.server.answer('POST /auth/password/forgot', 429, 'rate_limited', { 'Retry-After': '120' });
    page.fill('#forgot-email', 'someone@example.com');
    await page.submit();
    expect(page.get('#forgot-error').textContent).toContain('Try again in 2 minutes');
  });
});
