/**
 * Second factors in the browser, with codes computed in the test as an authenticator app would:
 * TOTP enrolment on the demo's Security page (QR code, secret, first code, recovery codes shown
 * once), signing in with password + code and with a recovery code; the step-up route (an admin's
 * lesson delete) completed in the app through its "Confirm it's you" dialog; and the auth
 * server's hosted login page's code step with JavaScript off.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { apiLogin, claims, signupFreshUser, type TokenResponse } from './support/api.ts';
import {
  COOKIE_RESTORE_PROBE,
  expectLessons,
  expectLoginPage,
  login,
  logoutButton,
  submitLogin,
  unexpectedErrors,
  useBrowser,
  type ExpectedFailure,
} from './support/browser.ts';
import { ADMIN, API, AUTH, WEB } from './support/stack.ts';
import { authenticator } from './support/totp.ts';

const browserSessions = useBrowser();

/** The password step of an account with a second factor answers 403 mfa_required, by design. */
const MFA_REQUIRED: ExpectedFailure = { url: `${AUTH}/auth/login`, status: 403 };
const open = (expected: ExpectedFailure[] = [], options = {}) =>
  browserSessions.open([COOKIE_RESTORE_PROBE, MFA_REQUIRED, ...expected], options);

/** The seeded admin's secret while the step-up test has TOTP on for it (afterAll turns it off). */
let adminSecret: { secret: string; app: ReturnType<typeof authenticator> } | undefined;

/** A JSON call to the auth server (a second client beside the browser). */
async function call(method: 'POST' | 'DELETE', path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${AUTH}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}
const post = (path: string, body: unknown, token?: string) => call('POST', path, body, token);

/** Password + code through the API (a second client beside the browser). */
async function apiLoginWithCode(email: string, password: string, code: string): Promise<TokenResponse> {
  const first = await post('/auth/login', { email, password });
  expect(first.status).toBe(403);
  const { mfa_token } = (await first.json()) as { mfa_token: string };
  const verified = await post('/auth/mfa/verify', { mfa_token, method: 'totp', code });
  expect(verified.status).toBe(200);
  return (await verified.json()) as TokenResponse;
}

afterAll(async () => {
  // The other files sign the seeded admin in with the password alone: never leave TOTP on for it.
  if (!adminSecret) return;
  const first = await post('/auth/login', { email: ADMIN.email, password: ADMIN.password });
  if (first.status !== 403) return;
  const { access_token } = await apiLoginWithCode(ADMIN.email, ADMIN.password, await adminSecret.app.next());
  expect((await call('DELETE', '/auth/mfa/totp', { password: ADMIN.password }, access_token)).status).toBe(204);
});

/** Turns the authenticator app on from the Security page; the secret it showed and the recovery codes. */
async function enrolOnSecurityPage(
  page: Page,
): Promise<{ secret: string; app: ReturnType<typeof authenticator>; recoveryCodes: string[] }> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await page.waitForURL(`${WEB}/security`);
  const totp = page.locator('app-totp-settings');
  await totp.locator('#totp-state', { hasText: 'Off.' }).waitFor();
  await totp.getByRole('button', { name: 'Set up authenticator app' }).click();

  // The QR code is the server's SVG shown as an image (never inserted into the page's DOM).
  const qr = totp.getByRole('img', { name: 'QR code to add Sigil to your authenticator app' });
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
  expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  expect(await totp.locator('svg').count()).toBe(0);
  const secret = (await totp.locator('.secret').textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  // The code field has focus: the user types the app's first code.
  const app = authenticator(secret);
  await page.waitForFunction(() => document.activeElement?.id === 'totp-confirm-code');
  await page.keyboard.type(await app.next());
  await totp.getByRole('button', { name: 'Turn on' }).click();

  const codes = totp.getByRole('list', { name: 'Recovery codes' }).locator('code');
  await codes.first().waitFor();
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  expect(await totp.getByRole('status').textContent()).toContain('Your authenticator app is on.');
  await totp.getByRole('button', { name: 'I have saved my codes' }).click();
  await totp.getByText('10 recovery codes left').waitFor();
  expect(await totp.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
  return { secret, app, recoveryCodes };
}

/** The app's sign-in: the password, then the second step with `code` (`recovery` for a recovery code). */
async function loginWithSecondStep(page: Page, user: { email: string; password: string }, code: string, recovery = false): Promise<void> {
  await page.goto(`${WEB}/login`);
  await submitLogin(page, user.email, user.password);
  await page.getByRole('heading', { level: 1, name: 'Two-step verification' }).waitFor();
  expect(await logoutButton(page).count()).toBe(0);
  if (recovery) await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel(recovery ? 'Recovery code' : 'Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${WEB}/lessons`);
  await expectLessons(page);
}

describe('second factors in the demo app', () => {
  test('enrol TOTP on the Security page, log out, sign in with password + code, then with a recovery code (used once)', async () => {
    const user = await signupFreshUser();
    const session = await open();
    const page = await session.newPage();
    await login(page, user);
    const { app, recoveryCodes } = await enrolOnSecurityPage(page);

    await logoutButton(page).click();
    await expectLoginPage(page);
    // The password alone no longer signs in: the API says so too.
    expect((await post('/auth/login', { email: user.email, password: user.password })).status).toBe(403);

    await loginWithSecondStep(page, user, await app.next());
    await logoutButton(page).click();
    await expectLoginPage(page);

    await loginWithSecondStep(page, user, recoveryCodes[0]!, true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
    await page.locator('app-totp-settings').getByText('9 recovery codes left').waitFor();
  });

  test('an admin deletes a lesson through the step-up route: the API asks, the dialog signs in again with the code, the delete is retried', async () => {
    // The API's 401 insufficient_user_authentication is the point of the test.
    const session = await open([{ url: `${API}/api/lessons/`, status: 401 }]);
    const page = await session.newPage();
    const deletes: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'DELETE' && response.url().startsWith(`${API}/api/lessons/`)) deletes.push(response.status());
    });
    await login(page, ADMIN);
    const title = `Step-up target ${Date.now()}`;
    await page.getByLabel('Title').fill(title);
    await page.getByRole('button', { name: 'Add lesson' }).click();
    await page.locator('li.lesson h2', { hasText: title }).waitFor();

    // TOTP on, this session still the password-only one it was.
    adminSecret = await enrolOnSecurityPage(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lessons' }).click();
    await expectLessons(page);
    await page.getByRole('button', { name: `Delete ${title}` }).click();

    const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
    await dialog.waitFor();
    expect(deletes).toEqual([401]);
    await page.waitForFunction(() => document.activeElement?.id === 'step-up-password');
    await dialog.getByLabel('Password').fill(ADMIN.password);
    await dialog.getByLabel('Code from your authenticator app').fill(await adminSecret.app.next());
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: `Lesson “${title}” deleted.` })
      .waitFor();
    await dialog.waitFor({ state: 'detached' });
    expect(deletes).toEqual([401, 204]);
    await page.locator('li.lesson h2', { hasText: title }).waitFor({ state: 'detached' });
    // The same user is still signed in, on the new session.
    await logoutButton(page).waitFor();

    // Turn it off again from the Security page, with the password.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
    const totp = page.locator('app-totp-settings');
    await totp.locator('#totp-state', { hasText: 'On.' }).waitFor();
    await totp.getByLabel('Password').last().fill(ADMIN.password);
    await totp.getByRole('button', { name: 'Turn off authenticator app' }).click();
    await totp.locator('#totp-state', { hasText: 'Off.' }).waitFor();
    adminSecret = undefined;
    expect(claims((await apiLogin(ADMIN.email, ADMIN.password)).access_token)['amr']).toEqual(['pwd']);
  });

  test('the hosted login page asks for the code with JavaScript off and then redirects to the app', async () => {
    const user = await signupFreshUser();
    const { access_token } = await apiLogin(user.email, user.password);
    const enrolment = (await (await post('/auth/mfa/totp', {}, access_token)).json()) as { secret: string };
    const app = authenticator(enrolment.secret);
    expect((await post('/auth/mfa/totp/confirm', { code: await app.next() }, access_token)).status).toBe(200);

    const noJs = await open([{ url: `${AUTH}/login`, status: 403 }], { javaScriptEnabled: false });
    const page = await noJs.newPage();
    await page.goto(`${AUTH}/login?return_to=${encodeURIComponent(`${WEB}/lessons`)}`);
    await page.locator('input[type=email]').fill(user.email);
    await page.locator('input[type=password]').fill(user.password);
    await page.locator('button[type=submit]').click();

    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect(new URL(page.url()).origin).toBe(AUTH);
    expect((await noJs.context.cookies(`${AUTH}/auth/refresh`)).filter((c) => c.httpOnly)).toEqual([]);
    await page.getByLabel('Authentication code').fill(await app.next());
    await page.locator('form button[type=submit]').first().click();
    await page.waitForURL(`${WEB}/lessons`);
    expect((await noJs.context.cookies(`${AUTH}/auth/refresh`)).some((c) => c.httpOnly && c.sameSite === 'Strict')).toBe(true);

    // The app, with JavaScript, picks the session up from the cookie alone.
    const withJs = await open([], { storageState: await noJs.context.storageState() });
    const appPage = await withJs.newPage();
    await appPage.goto(`${WEB}/lessons`);
    await expectLessons(appPage);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
