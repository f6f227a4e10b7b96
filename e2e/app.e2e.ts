/**
 * The demo web app's main path in Chromium against the real stack: the guard, the sign-in form,
 * the lessons list, reloads in each storage mode and logging out; no console errors anywhere.
 */
import type { Page } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  COOKIE_RESTORE_PROBE,
  expectLessons,
  expectLoginPage,
  login,
  logoutButton,
  submitLogin,
  unexpectedErrors,
  useBrowser,
} from './support/browser.ts';
import { AUTH, DEMO, WEB } from './support/stack.ts';

const { open } = useBrowser();

/** `npm run screenshots -w @sigil/e2e` refreshes docs/images; a plain test run leaves them alone. */
async function screenshot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true, animations: 'disabled' });
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  if (process.env['SIGIL_E2E_SCREENSHOTS'] !== '1') return;
  const dir = path.resolve(import.meta.dirname, '..', 'docs', 'images');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), png);
}

describe('demo web app', () => {
  test('the guard sends a visitor to /login with returnUrl, and back there after signing in', async () => {
    const session = await open();
    const page = await session.newPage();
    await page.goto(`${WEB}/lessons`);
    await expectLoginPage(page, '/lessons');
    expect(page.url()).toBe(`${WEB}/login?returnUrl=%2Flessons`);
    expect(await page.locator('li.lesson').count()).toBe(0);
    await screenshot(page, 'login.png');

    await submitLogin(page, DEMO.email, DEMO.password);
    await page.waitForURL(`${WEB}/lessons`);
    await expectLessons(page);
  });

  test('a wrong password shows "Invalid email or password" and does not sign in', async () => {
    const session = await open([COOKIE_RESTORE_PROBE, { url: `${AUTH}/auth/login`, status: 401 }]);
    const page = await session.newPage();
    await page.goto(`${WEB}/login`);
    await submitLogin(page, DEMO.email, 'not-the-password');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 30_000 }).toContain('Invalid email or password');
    await expect.poll(() => page.locator('#login-error').isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('input[type=password]').inputValue()).toBe('');
    expect(await logoutButton(page).count()).toBe(0);
  });

  test('signing in lists the lessons and greets the user; a reload keeps the session (cookie mode, the default)', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, DEMO);
    const titles = await page.locator('li.lesson h2').allTextContents();
    expect(titles).toContain('What a JWT is (and is not)');
    expect(await page.locator('.user-name').textContent()).toContain(DEMO.name);
    await expect.poll(() => page.locator('.toast').allTextContents()).toContain(`Welcome, ${DEMO.name}!×`);
    // The refresh token is in an HttpOnly cookie that page scripts cannot read.
    const cookies = await session.context.cookies(AUTH + '/auth');
    expect(cookies.filter((c) => c.httpOnly).length).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.cookie + JSON.stringify(localStorage))).not.toMatch(/refresh|eyJ/);
    await screenshot(page, 'lessons.png');

    await page.reload();
    await expectLessons(page);
    await page.goto(`${WEB}/`);
    await expectLessons(page);
  });

  test('a reload keeps the session with localStorage (?storage=local)', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, DEMO, '?storage=local');
    expect(await page.evaluate(() => Object.keys(localStorage).length)).toBeGreaterThan(0);
    await page.reload();
    await expectLessons(page);
  });

  test('memory storage (?storage=memory) asks to sign in again after a reload', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, DEMO, '?storage=memory');
    await page.reload();
    await expectLoginPage(page, '/lessons');
  });

  test('"Log out" ends the session: back to /login, and a reload or /lessons stays signed out', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, DEMO);
    await logoutButton(page).click();
    await expectLoginPage(page);
    await expect.poll(() => page.locator('.toast').allTextContents()).toContain('You are signed out.×');
    await page.goto(`${WEB}/lessons`);
    await expectLoginPage(page, '/lessons');
    await page.reload();
    await expectLoginPage(page, '/lessons');
  });

  test('a foreign returnUrl is ignored after signing in (no open redirect)', async () => {
    const session = await open();
    const page = await session.newPage();
    await page.goto(`${WEB}/login?returnUrl=${encodeURIComponent('https://evil.example/steal')}`);
    await submitLogin(page, DEMO.email, DEMO.password);
    await page.waitForURL(`${WEB}/lessons`);
    await expectLessons(page);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
