/**
 * Passkeys in the browser, with Chromium's own WebAuthn stack and the DevTools protocol's virtual
 * authenticator (a platform authenticator with resident keys and user verification, the user
 * "present" automatically): register a passkey on the Security page, rename it, log out, sign in
 * with the passkey alone ("Sign in with a passkey"), sign in from the email field's autofill
 * (conditional UI), and a deleted passkey no longer signs in.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { claims, signupFreshUser } from './support/api.ts';
import {
  COOKIE_RESTORE_PROBE,
  expectLessons,
  expectLoginPage,
  login,
  logoutButton,
  unexpectedErrors,
  useBrowser,
} from './support/browser.ts';
import { API, AUTH, WEB } from './support/stack.ts';

const browserSessions = useBrowser();

/** Adds the virtual authenticator to `page` (it exists for that page's target only). */
async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** Set in the page's localStorage: the browser says it has no passkey autofill (as some do not). */
const AUTOFILL_OFF = 'e2e:passkey-autofill-off';

/**
 * Records the page's WebAuthn requests (`navigator.credentials.get`/`create`) with their
 * `mediation` and how each ended, in `window.__webauthn`, before any script of the app runs; and
 * lets the test switch the browser's passkey autofill off (`AUTOFILL_OFF`).
 */
async function recordWebAuthn(context: BrowserContext): Promise<void> {
  await context.addInitScript((autofillOff: string) => {
    const log: { kind: string; mediation?: string; state: string }[] = [];
    (window as unknown as { __webauthn: typeof log }).__webauthn = log;
    const credentials = navigator.credentials;
    // about:blank, before the first navigation, is no secure context: no WebAuthn to record.
    if (credentials === undefined) return;
    const available = PublicKeyCredential.isConditionalMediationAvailable.bind(PublicKeyCredential);
    PublicKeyCredential.isConditionalMediationAvailable = async () => localStorage.getItem(autofillOff) === null && available();
    for (const kind of ['get', 'create'] as const) {
      const original = credentials[kind].bind(credentials);
      credentials[kind] = (options?: CredentialRequestOptions & CredentialCreationOptions) => {
        const entry = { kind, mediation: options?.mediation, state: 'pending' };
        log.push(entry);
        const result = original(options);
        result.then(
          () => (entry.state = 'resolved'),
          (error: unknown) => (entry.state = `rejected: ${(error as Error).name}`),
        );
        return result;
      };
    }
  }, AUTOFILL_OFF);
}

const webauthnLog = (page: Page) =>
  page.evaluate(() => (window as unknown as { __webauthn: { kind: string; mediation?: string; state: string }[] }).__webauthn);

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

describe('passkeys in the demo app', () => {
  test('register a passkey on the Security page and rename it, log out, sign in from the autofill, then with the button alone; a deleted one no longer signs in', async () => {
    const user = await signupFreshUser();
    // The last sign-in, with the deleted passkey, is refused on purpose.
    const session = await browserSessions.open([COOKIE_RESTORE_PROBE, { url: `${AUTH}/auth/passkeys/login`, status: 401 }]);
    await recordWebAuthn(session.context);
    const apiTokens: string[] = [];
    session.context.on('request', (request) => {
      const auth = request.headers()['authorization'];
      if (request.url().startsWith(`${API}/`) && auth?.startsWith('Bearer ')) apiTokens.push(auth.slice('Bearer '.length));
    });
    const page = await session.newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(session.context, page);
    await login(page, user);

    // Register, with a name; the authenticator now holds one discoverable credential.
    await nav(page, 'Security');
    const passkeys = page.locator('app-passkeys-settings');
    await passkeys.getByText('No passkeys yet.').waitFor();
    await passkeys.getByLabel('Name').fill('E2E laptop');
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await passkeys.getByRole('status').filter({ hasText: 'Passkey “E2E laptop” added.' }).waitFor();
    expect(await passkeys.getByRole('list', { name: 'Your passkeys' }).locator('li strong').allTextContents()).toEqual(['E2E laptop']);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');

    // Rename it.
    await passkeys.getByRole('button', { name: 'Rename E2E laptop' }).click();
    await passkeys.getByLabel('New name for E2E laptop').fill('Work laptop');
    await passkeys.getByRole('button', { name: 'Save' }).click();
    await passkeys.getByRole('status').filter({ hasText: 'Passkey renamed to “Work laptop”.' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Rename Work laptop');

    // Conditional UI: the login page asks with mediation "conditional" as soon as it runs, for
    // the email field's autofill (`autocomplete="username webauthn"`). Headless Chromium shows no
    // autofill: the virtual authenticator, the user "present" automatically, answers the
    // conditional request at once with its one passkey, as a user's pick in the autofill would.
    // What this proves: after logging out the page makes a conditional request (no click, no
    // modal request), and its answer signs the user in.
    await logoutButton(page).click();
    await page.waitForFunction(() =>
      (window as unknown as { __webauthn: { kind: string; mediation?: string; state: string }[] }).__webauthn.some(
        (entry) => entry.kind === 'get' && entry.mediation === 'conditional' && entry.state === 'resolved',
      ),
    );
    await expectLessons(page);
    expect(await page.locator('.user-name').textContent()).toContain(user.name);
    const gets = (await webauthnLog(page)).filter((entry) => entry.kind === 'get');
    expect(gets.every((entry) => entry.mediation === 'conditional')).toBe(true);
    expect(claims(apiTokens.at(-1)!)['amr']).toEqual(expect.arrayContaining(['hwk']));

    // "Sign in with a passkey", in a browser without passkey autofill: the login page waits for
    // the button, whose modal request (no email, no password) signs in.
    await page.evaluate((key) => localStorage.setItem(key, '1'), AUTOFILL_OFF);
    await logoutButton(page).click();
    await expectLoginPage(page);
    expect(await page.locator('#email').getAttribute('autocomplete')).toBe('username webauthn');
    apiTokens.length = 0;
    const before = (await webauthnLog(page)).length;
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${WEB}/lessons`);
    await expectLessons(page);
    expect((await webauthnLog(page)).slice(before)).toEqual([{ kind: 'get', mediation: undefined, state: 'resolved' }]);
    const passkeyToken = claims(apiTokens.at(-1)!);
    expect(passkeyToken['amr']).toEqual(expect.arrayContaining(['hwk']));
    expect(passkeyToken['amr']).not.toContain('pwd');
    await nav(page, 'Security');
    await passkeys.getByText('last used').waitFor();

    // Delete it on the Security page: the credential still in the authenticator no longer signs in.
    await nav(page, 'Security');
    await passkeys.getByRole('button', { name: 'Delete Work laptop' }).click();
    await passkeys.getByText('No passkeys yet.').waitFor();
    await logoutButton(page).click();
    await expectLoginPage(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('alert').filter({ hasText: 'This passkey does not belong to an account here.' }).waitFor();
    expect(await logoutButton(page).count()).toBe(0);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
