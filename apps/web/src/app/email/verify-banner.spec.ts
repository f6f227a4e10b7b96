import { Component } from '@angular/core';
import { renderPage } from '../../testing/auth-server';
import { VerifyBanner } from './verify-banner';

@Component({ imports: [VerifyBanner], template: '<app-verify-banner email="demo@sigil.dev" />' })
class Host {}

describe('Verify-email banner', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  beforeEach(async () => {
    page = await renderPage([{ path: '', component: Host }], '/', { signedIn: true });
  });
  afterEach(() => page.destroy());

  it('asks to verify and mails a new link as the signed-in user, announced politely', async () => {
    expect(page.get('aside').textContent).toContain('verify your email address');
    await page.click('aside button');
    const [call] = page.server.callsTo('/auth/email/verification');
    expect(call).toMatchObject({ method: 'POST', authorization: expect.stringMatching(/^Bearer at-/) });
    expect(page.get('[role=status]').getAttribute('aria-live')).toBe('polite');
    expect(page.get('[role=status]').textContent).toContain('We sent a new link to demo@sigil.dev');
  });

  it('says when too many links were asked for', async () => {
    page.server.answer('POST /auth/email/verification', 429, 'rate_limited', { 'Retry-After': '30' });
    await page.click('aside button');
    expect(page.get('[role=status]').textContent).toContain('Try again in 30 seconds');
  });
});
