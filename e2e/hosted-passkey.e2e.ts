/**
 * Passkeys on the auth server's hosted login page, in Chromium with the CDP virtual authenticator
 * (resident keys, user verification): a passkey registered on the page signs in from the email
 * field's autofill (conditional UI) and from the "Sign in with a passkey" button, and the app then
 * has the session; without WebAuthn or JavaScript the button stays hidden and the page is the
 * password form.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { apiLogin, signupFreshUser } from './support/api.ts';
import { COOKIE_RESTORE_PROBE, expectLessons, unexpectedErrors, useBrowser } from './support/browser.ts';
import { AUTH, WEB } from './support/stack.ts';

const browserSessions = useBrowser();
const hostedLogin = (returnTo: string) => `${AUTH}/login?return_to=${encodeURIComponent(returnTo)}`;

/** A platform authenticator on this page, as a phone or laptop has one, that approves every request. */
async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/**
 * Registers a passkey for the account of `accessToken` from the hosted page itself (its origin is
 * the RP's), with the browser library the page has loaded.
 */
async function registerOnPage(page: Page, accessToken: string): Promise<number> {
  return page.evaluate(async (token) => {
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    const options = await (await fetch('/auth/passkeys/registration/options', { method: 'POST', headers })).json();
    const lib = (window as unknown as { SimpleWebAuthnBrowser: { startRegistration(o: object): Promise<unknown> } }).SimpleWebAuthnBrowser;
    const response = await lib.startRegistration({ optionsJSON: options });
    const res = await fetch('/auth/passkeys/registration', {
      method: 'POST',
      headers,
      body: JSON.stringify({ response, name: 'Chromium' }),
    });
    return res.status;
  }, accessToken);
}

describe('passkeys on the hosted login page', () => {
  test('a passkey signs in from the autofill and from the button; the app then has the session', async () => {
    const user = await signupFreshUser();
    const tokens = await apiLogin(user.email, user.password);
    const session = await browserSessions.open([COOKIE_RESTORE_PROBE]);
    const page = await session.newPage();
    await addVirtualAuthenticator(page);

    const shown = await page.goto(hostedLogin(`${WEB}/lessons`));
    expect(shown?.headers()['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/);
    await page.locator('#passkey-button').waitFor({ state: 'visible' });
    expect(await page.locator('input[type=email]').getAttribute('autocomplete')).toBe('username webauthn');
    // The page's autofill request waits (no passkey yet); the registration replaces it.
    expect(await registerOnPage(page, tokens.access_token)).toBe(201);

    // Conditional UI: opening the page again is enough, the authenticator offers the passkey.
    await page.goto(hostedLogin(`${WEB}/lessons`));
    await page.waitForURL(`${WEB}/lessons`);
    await expectLessons(page);
    expect((await session.context.cookies(`${AUTH}/auth/refresh`)).some((c) => c.name === 'sigil_refresh' && c.httpOnly)).toBe(true);

    // The button, in a browser without conditional mediation.
    await session.context.clearCookies();
    await page.addInitScript(() => {
      (
        window as unknown as { PublicKeyCredential: { isConditionalMediationAvailable: () => Promise<boolean> } }
      ).PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await page.goto(hostedLogin(`${WEB}/lessons`));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${WEB}/lessons`);
    await expectLessons(page);
  });

  test('without WebAuthn, and with JavaScript off, the button stays hidden and the password form is the page', async () => {
    const noWebAuthn = await browserSessions.open();
    const page = await noWebAuthn.newPage();
    await page.addInitScript(() => {
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
    });
    await page.goto(hostedLogin(`${WEB}/lessons`));
    await page.locator('input[type=password]').waitFor();
    // The script has run (its bundle defines the library) and left the section hidden.
    await page.waitForFunction(() => 'SimpleWebAuthnBrowser' in window);
    expect(await page.locator('#passkey-button').isVisible()).toBe(false);

    const noJs = await browserSessions.open([], { javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(hostedLogin(`${WEB}/lessons`));
    await plain.locator('input[type=password]').waitFor();
    expect(await plain.locator('#passkey-button').isVisible()).toBe(false);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
