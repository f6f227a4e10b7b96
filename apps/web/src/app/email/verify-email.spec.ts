import { TestBed } from '@angular/core/testing';
import { AuthService } from '@sigil/angular';
import { renderPage } from '../../testing/auth-server';
import { VerifyEmail } from './verify-email';

const routes = [{ path: 'email/verify', component: VerifyEmail }];

describe('Verify-email page', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  afterEach(() => page.destroy());

  const settled = () => vi.waitFor(() => expect(page.get('h1').textContent).not.toContain('Verifying'), { timeout: 10_000 });

  it('follows the link once on load and says the address is verified; the signed-in user is updated', async () => {
    page = await renderPage(routes, '/email/verify?token=tok-1', { signedIn: true });
    await settled();
    await page.harness.fixture.whenStable();
    expect(page.get('h1').textContent).toContain('Email verified');
    expect(page.get('[role=status]').textContent).toContain('demo@sigil.dev is verified');
    expect(page.server.callsTo('/auth/email/verify')).toEqual([expect.objectContaining({ body: { token: 'tok-1' } })]);
    expect(TestBed.inject(AuthService).user()?.emailVerified).toBe(true);
    expect(page.get('a[href="/lessons"]')).toBeTruthy();
  });

  it('an expired or used link says so, and a signed-out visitor is offered sign-in', async () => {
    page = await renderPage(routes, '/email/verify?token=old', {
      prepare: (server) => server.answer('POST /auth/email/verify', 400, 'invalid_grant'),
    });
    await settled();
    expect(page.get('h1').textContent).toContain('Link expired');
    expect(page.get('a[href="/login"]')).toBeTruthy();
  });
});
