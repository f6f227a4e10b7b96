/**
 * The account's lifecycle in the browser, with the mails read from the auth server's development
 * mailbox as a newcomer to `npm start` reads them: sign up in the app, verify, log out, forget the
 * password, reset it from the mailed link (another browser signed in to the account is signed
 * out), sign in with the new one; the account page and deletion; and the auth server's hosted
 * pages (sign-up, forgot and reset password, verification) with JavaScript off.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { apiLogin } from './support/api.ts';
import {
  COOKIE_RESTORE_PROBE,
  expectLessons,
  expectLoginPage,
  login,
  logoutButton,
  unexpectedErrors,
  useBrowser,
  type ExpectedFailure,
} from './support/browser.ts';
import { nextLink } from './support/mailbox.ts';
import { AUTH, WEB } from './support/stack.ts';

const browserSessions = useBrowser();

/** A context; `expected` adds the failed requests it makes on purpose (to the cookie-mode probe). */
const open = (expected: ExpectedFailure[] = [], options: BrowserContextOptions = {}) =>
  browserSessions.open([COOKIE_RESTORE_PROBE, ...expected], options);

/** A new person for each test. */
const newcomer = () => ({ name: 'Ada Newcomer', email: `e2e-${randomUUID()}@sigil.dev`, password: `pw-${randomUUID()}` });

const toasts = (page: Page) => page.locator('.toast span').allTextContents();

/** Signs up through the app's "Create account" page, from the sign-in page's link. */
async function signUpInApp(page: Page, person: ReturnType<typeof newcomer>): Promise<void> {
  await page.goto(`${WEB}/login`);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.waitForURL(`${WEB}/signup`);
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The demo's server verifies optionally: signed in at once, asked to verify.
  await page.waitForURL(`${WEB}/lessons`);
  await expectLessons(page);
}

const banner = (page: Page) => page.locator('app-verify-banner');

describe('the account lifecycle in the demo app', () => {
  test('sign up, verify from the mail, log out, reset the password from the mail (another browser is signed out), sign in with the new one', async () => {
    const person = newcomer();
    // The wrong-password attempt at the end is a 401 on purpose.
    const first = await open([{ url: `${AUTH}/auth/login`, status: 401 }]);
    const page = await first.newPage();
    await signUpInApp(page, person);
    await banner(page).getByText('Please verify your email address').waitFor();

    // The verification mail's link opens the app's own page (SIGIL_APP_LINKS).
    const verify = await nextLink(person.email, '/email/verify?');
    expect(verify.origin).toBe(WEB);
    await page.goto(verify.href);
    await page.getByRole('heading', { level: 1, name: 'Email verified' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'is verified' }).textContent()).toContain(person.email);
    await banner(page).waitFor({ state: 'detached' });

    await logoutButton(page).click();
    await expectLoginPage(page);

    // Meanwhile another browser (two tabs) is signed in to the account.
    const other = await open();
    const otherTabs = [await other.newPage(), await other.newPage()];
    await login(otherTabs[0]!, person);
    await otherTabs[1]!.goto(`${WEB}/lessons`);
    await expectLessons(otherTabs[1]!);

    // Forgot password, from the sign-in page.
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${WEB}/password/forgot`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();

    const reset = await nextLink(person.email, '/password/reset?');
    expect(reset.origin).toBe(WEB);
    await page.goto(reset.href);
    const newPassword = `new-${randomUUID()}`;
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expectLoginPage(page);
    expect(await toasts(page)).toContain('Your password was changed. Sign in with the new one.');

    // The reset ended every session: the other browser's next refresh (its tokens live 5 s) is
    // refused, and both of its tabs end up on the sign-in page.
    for (const tab of otherTabs) await expectLoginPage(tab);
    expect((await toasts(otherTabs[0]!)).concat(await toasts(otherTabs[1]!)).join(' ')).toMatch(/session has expired|signed out/);

    // The old password no longer works; the new one does.
    await page.locator('input[type=email]').fill(person.email);
    await page.locator('input[type=password]').fill(person.password);
    await page.locator('button[type=submit]').click();
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    await login(page, { email: person.email, password: newPassword });
  });

  test('the account page lists this device and deletes the account after the password, then back to sign-in', async () => {
    const person = newcomer();
    // The wrong password's 400, and the deleted account's refused sign-in.
    const session = await open([
      { url: `${AUTH}/auth/account`, status: 400 },
      { url: `${AUTH}/auth/login`, status: 401 },
    ]);
    const page = await session.newPage();
    await signUpInApp(page, person);
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.waitForURL(`${WEB}/account`);
    const sessions = page.locator('app-sessions-list li.session');
    await sessions.first().waitFor();
    expect(await sessions.count()).toBe(1);
    expect(await sessions.first().textContent()).toMatch(/Chrome on Linux\s*This device/);

    const deletion = page.locator('app-delete-account');
    await deletion.getByLabel('Password, to confirm').fill('not the password');
    await deletion.getByRole('button', { name: 'Delete my account' }).click();
    await deletion.getByRole('alert').filter({ hasText: 'The password is not correct.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');

    await deletion.getByLabel('Password, to confirm').fill(person.password);
    await deletion.getByRole('button', { name: 'Delete my account' }).click();
    await expectLoginPage(page);
    expect(await toasts(page)).toContain('Your account was deleted.');
    // Gone: its password signs nobody in, and a reload stays signed out.
    await expect(apiLogin(person.email, person.password)).rejects.toThrow(/expected 200, got 401/);
    await page.reload();
    await expectLoginPage(page);
  });
});

describe("the auth server's hosted account pages with JavaScript off", () => {
  const noJs = (expected: ExpectedFailure[] = []) => open(expected, { javaScriptEnabled: false });

  /** The page's CSP is the hosted login page's: no inline script, no framing. */
  function expectStrictCsp(headers: Record<string, string> | undefined): void {
    const csp = headers?.['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  }

  test('"Create account" from the sign-in page signs up and returns to the app, which has the session', async () => {
    const person = newcomer();
    const session = await noJs();
    const page = await session.newPage();
    const shown = await page.goto(`${AUTH}/login?return_to=${encodeURIComponent(`${WEB}/lessons`)}`);
    expectStrictCsp(shown?.headers());
    await page.getByRole('link', { name: /Create account/ }).click();
    await page.waitForURL((url) => url.origin === AUTH && url.pathname === '/signup');
    expect((await page.locator('input[name=csrf_token]').inputValue()).length).toBeGreaterThanOrEqual(32);
    await page.getByLabel('Name').fill(person.name);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${WEB}/lessons`);
    expect((await session.context.cookies(`${AUTH}/auth/refresh`)).some((c) => c.httpOnly && c.sameSite === 'Strict')).toBe(true);

    const app = await open([], { storageState: await session.context.storageState() });
    const appPage = await app.newPage();
    await appPage.goto(`${WEB}/lessons`);
    await expectLessons(appPage);
    expect(await appPage.locator('.user-name').textContent()).toContain(person.name);
  });

  test('forgot password, then the new-password page from the mail, then the new password signs in', async () => {
    const person = newcomer();
    await fetch(`${AUTH}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(person) });
    await nextLink(person.email, '/email/verify?'); // the sign-up's own mail, not the one wanted here
    // The used link's second post is answered 400 on purpose.
    const session = await noJs([{ url: `${AUTH}/password/reset`, status: 400 }]);
    const page = await session.newPage();

    const forgot = await page.goto(`${AUTH}/password/forgot`);
    expectStrictCsp(forgot?.headers());
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    // The link opens the app's page; the token works on the hosted one too.
    const token = (await nextLink(person.email, '/password/reset?')).searchParams.get('token')!;
    const shown = await page.goto(`${AUTH}/password/reset?token=${encodeURIComponent(token)}`);
    expect(shown?.headers()['referrer-policy']).toBe('no-referrer');
    expectStrictCsp(shown?.headers());
    const newPassword = `new-${randomUUID()}`;
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await expect(apiLogin(person.email, person.password)).rejects.toThrow(/got 401/);
    await expect(apiLogin(person.email, newPassword)).resolves.toMatchObject({ user: { email: person.email } });
    // The link was used: the same link's form is refused now and offers a new link.
    await page.goto(`${AUTH}/password/reset?token=${encodeURIComponent(token)}`);
    await page.getByLabel('New password').fill(`other-${randomUUID()}`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  test('the verification page confirms the address with a plain form post', async () => {
    const person = newcomer();
    await fetch(`${AUTH}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(person) });
    const token = (await nextLink(person.email, '/email/verify?')).searchParams.get('token')!;
    const session = await noJs();
    const page = await session.newPage();
    const shown = await page.goto(`${AUTH}/email/verify?token=${encodeURIComponent(token)}`);
    expectStrictCsp(shown?.headers());
    // Opening the link verifies nothing (mail scanners open links): the button does.
    await expect(apiLogin(person.email, person.password)).resolves.toMatchObject({ user: { email_verified: false } });
    await page.getByRole('button', { name: 'Verify my email address' }).click();
    await page.getByRole('heading', { name: 'Email address verified' }).waitFor();
    await expect(apiLogin(person.email, person.password)).resolves.toMatchObject({ user: { email_verified: true } });
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
