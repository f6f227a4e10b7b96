import { Component } from '@angular/core';
import { PASSWORD, QR_SVG, TOTP_CODE, TOTP_SECRET, recoveryCodes, renderPage } from '../../testing/auth-server';
import { Security } from './security';

@Component({ template: '<p>stub</p>' })
class Stub {}

const routes = [
  { path: 'security', component: Security },
  { path: 'login', component: Stub },
];

const codesShown = (page: Awaited<ReturnType<typeof renderPage>>) =>
  [...page.page().querySelectorAll('.code-list code')].map((c) => c.textContent?.trim());

describe('Security page: authenticator app', () => {
  let page: Awaited<ReturnType<typeof renderPage>>;
  afterEach(() => page.destroy());

  async function open(totpOn = false) {
    page = await renderPage(routes, '/security', {
      signedIn: true,
      prepare: (server) => {
        if (totpOn) server.answer('GET /auth/mfa', 200, { methods: ['totp', 'recovery_code'], totp: 'on', recovery_codes_remaining: 7 });
      },
    });
    await vi.waitFor(() => expect(page.page().querySelector('#totp-state')).not.toBeNull(), { timeout: 10_000 });
  }

  it('shows the QR code as an image (its markup never in the page), the secret, and focuses the code field', async () => {
    await open();
    expect(page.get('#totp-state').textContent).toContain('Off.');
    await page.click('app-totp-settings button.button-primary');
    const img = page.get<HTMLImageElement>('img.qr');
    expect(img.getAttribute('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(QR_SVG)}`);
    expect(img.alt).toContain('QR code');
    expect(page.page().querySelector('svg, script')).toBeNull();
    expect((window as { qrRan?: boolean }).qrRan).toBeUndefined();
    expect(page.get('.secret').textContent).toBe(TOTP_SECRET);
    await vi.waitFor(() => expect(document.activeElement).toBe(page.get('#totp-confirm-code')));
  });

  it('a wrong code is said on the field; the right one turns TOTP on and shows the recovery codes once', async () => {
    await open();
    await page.click('app-totp-settings button.button-primary');
    page.fill('#totp-confirm-code', '000000');
    await page.submit('app-totp-settings form');
    expect(page.get('#totp-error').textContent).toContain('That code is not right');
    expect(page.get('#totp-confirm-code').getAttribute('aria-invalid')).toBe('true');

    page.fill('#totp-confirm-code', TOTP_CODE);
    await page.submit('app-totp-settings form');
    expect(page.server.callsTo('/auth/mfa/totp/confirm').at(-1)?.body).toEqual({ code: TOTP_CODE });
    expect(codesShown(page)).toEqual(recoveryCodes(1));
    expect(page.get('app-totp-settings [role=status]').textContent).toContain('Your authenticator app is on.');
    await vi.waitFor(() => expect(document.activeElement).toBe(page.get('#recovery-title')));

    await page.click('app-recovery-codes button');
    expect(page.page().querySelector('.code-list')).toBeNull();
    expect(page.get('#totp-state').textContent).toContain('On.');
  });

  it('asks for the 6 digits before calling the server', async () => {
    await open();
    await page.click('app-totp-settings button.button-primary');
    page.fill('#totp-confirm-code', '12');
    await page.submit('app-totp-settings form');
    expect(page.get('#totp-error').textContent).toBe('Enter the 6-digit code your app shows.');
    expect(page.server.callsTo('/auth/mfa/totp/confirm')).toEqual([]);
  });

  it('issues new recovery codes with the password, and says so for a wrong one', async () => {
    await open(true);
    expect(page.get('#totp-state').textContent).toContain('7 recovery codes left');
    page.server.wrongPassword('POST /auth/mfa/recovery-codes');
    page.fill('#regenerate-password', 'wrong');
    await page.submit('form.password-action');
    expect(page.get('#totp-error').textContent).toBe('The password is not correct.');
    await vi.waitFor(() => expect(document.activeElement).toBe(page.get('#regenerate-password')));

    page.server.answer('POST /auth/mfa/recovery-codes', 200, { recovery_codes: recoveryCodes(9) });
    page.fill('#regenerate-password', PASSWORD);
    await page.submit('form.password-action');
    expect(page.server.callsTo('/auth/mfa/recovery-codes').at(-1)?.body).toEqual({ password: PASSWORD });
    expect(codesShown(page)).toEqual(recoveryCodes(9));
    expect(page.get('app-totp-settings [role=status]').textContent).toContain('The old ones no longer work.');
  });

  it('turns TOTP off with the password', async () => {
    await open(true);
    page.server.answer('GET /auth/mfa', 200, { methods: [], totp: 'off', recovery_codes_remaining: 0 });
    page.fill('#disable-totp-password', PASSWORD);
    await page.submit('form.password-action:nth-of-type(2)');
    expect(page.server.callsTo('/auth/mfa/totp')).toEqual([expect.objectContaining({ method: 'DELETE', body: { password: PASSWORD } })]);
    expect(page.get('#totp-state').textContent).toContain('Off.');
    expect(page.get('app-totp-settings [role=status]').textContent).toContain('Your authenticator app is off.');
  });
});
