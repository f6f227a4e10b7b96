/**
 * The auth server's hosted login page (`GET /login?return_to=...`): a plain form that works with
 * JavaScript off, behind a strict CSP and a CSRF token; foreign `return_to` targets are refused,
 * on the link and in a tampered form.
 */
import type { BrowserContextOptions } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { COOKIE_RESTORE_PROBE, expectLessons, unexpectedErrors, useBrowser, type ExpectedFailure } from './support/browser.ts';
import { AUTH, DEMO, WEB } from './support/stack.ts';

const browserSessions = useBrowser();

/** A context; `expected` adds failed requests it makes on purpose (to the cookie-mode probe). */
function open(options: BrowserContextOptions = {}, expected: ExpectedFailure[] = []) {
  return browserSessions.open([COOKIE_RESTORE_PROBE, ...expected], options);
}

/** The password form (the page also has the passkey form, with its own return_to). */
const PASSWORD_FORM = 'form:has(input[type=password])';

const hostedLogin = (returnTo: string) => `${AUTH}/login?return_to=${encodeURIComponent(returnTo)}`;

const EVIL = [
  'https://evil.example/',
  '//evil.example/lessons',
  'javascript:alert(1)',
  'http://localhost:4200@evil.example/',
  'http://localhost:4201/',
];

describe('hosted login page', () => {
  test('with JavaScript disabled it shows the sign-in form, with a CSRF token and a strict CSP', async () => {
    const noJs = await open({ javaScriptEnabled: false });
    const page = await noJs.newPage();
    const shown = await page.goto(hostedLogin(`${WEB}/lessons`));
    expect(shown?.status()).toBe(200);
    const csp = shown?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await page.locator('input[type=email]').waitFor();
    expect(await page.locator('input[type=password]').count()).toBe(1);
    expect(await page.locator('button[type=submit]').count()).toBe(1);
    expect(await page.locator(`${PASSWORD_FORM} input[name=return_to]`).inputValue()).toBe(`${WEB}/lessons`);
    const csrf = await page.locator(`${PASSWORD_FORM} input[name=csrf_token]`).inputValue();
    expect(csrf.length).toBeGreaterThanOrEqual(32);
    expect((await noJs.context.cookies(AUTH)).find((c) => c.name === 'sigil_csrf')?.value).toBe(csrf);
  });

  test('with JavaScript disabled it signs in and redirects to the app, which then has the session', async () => {
    const noJs = await open({ javaScriptEnabled: false }, [{ url: `${AUTH}/login`, status: 401 }]);
    const page = await noJs.newPage();
    const shown = await page.goto(hostedLogin(`${WEB}/lessons`));
    expect(shown?.status()).toBe(200);
    const csp = shown?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');

    // Wrong password first: the page says so and keeps the form.
    await page.locator('input[type=email]').fill(DEMO.email);
    await page.locator('input[type=password]').fill('not-the-password');
    await page.locator('button[type=submit]').click();
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    expect(new URL(page.url()).origin).toBe(AUTH);

    await page.locator('input[type=email]').fill(DEMO.email);
    await page.locator('input[type=password]').fill(DEMO.password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${WEB}/lessons`);
    const cookies = await noJs.context.cookies(`${AUTH}/auth/refresh`);
    expect(cookies.some((c) => c.httpOnly && c.sameSite === 'Strict')).toBe(true);

    // The app, with JavaScript, picks the session up from the cookie alone.
    const app = await open({ storageState: await noJs.context.storageState() });
    const appPage = await app.newPage();
    await appPage.goto(`${WEB}/lessons`);
    await expectLessons(appPage);
    expect(await appPage.locator('.user-name').textContent()).toContain(DEMO.name);
  });

  test('foreign return_to targets are refused: no form, no redirect', async () => {
    for (const target of EVIL) {
      const response = await fetch(hostedLogin(target), { redirect: 'manual' });
      expect(response.status, target).toBe(400);
      expect(await response.text(), target).not.toContain('<form');
    }
    const session = await open({}, [{ url: `${AUTH}/login`, status: 400 }]);
    const page = await session.newPage();
    const refused = await page.goto(hostedLogin('https://evil.example/'));
    expect(refused?.status()).toBe(400);
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.getByRole('alert').textContent()).toContain('not valid');
  });

  test('a form posted with a tampered return_to is refused and sets no session', async () => {
    const session = await open({}, [{ url: `${AUTH}/login`, status: 400 }]);
    const page = await session.newPage();
    await page.goto(hostedLogin(`${WEB}/lessons`));
    await page
      .locator(`${PASSWORD_FORM} input[name=return_to]`)
      .evaluate((input, evil) => ((input as HTMLInputElement).value = evil), 'https://evil.example/');
    await page.locator('input[type=email]').fill(DEMO.email);
    await page.locator('input[type=password]').fill(DEMO.password);
    const posted = page.waitForResponse((r) => r.url() === `${AUTH}/login` && r.request().method() === 'POST');
    await page.locator('button[type=submit]').click();
    expect((await posted).status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(AUTH);
    expect(await page.locator('form').count()).toBe(0);
    // Refused for its target (not for anything else wrong with the post).
    expect(await page.getByRole('alert').textContent()).toContain('return_to must be an allowed application URL');
    expect((await session.context.cookies(`${AUTH}/auth/refresh`)).filter((c) => c.httpOnly)).toEqual([]);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
