/**
 * Sessions over time, in cookie mode (the demo's default) with the suite's 5 s access tokens:
 * expiry mid-session, two tabs refreshing at once, logout in one tab, and a session revoked from
 * elsewhere.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { apiLogin, apiLogout, claims, listSessions, revokeSession, signupFreshUser } from './support/api.ts';
import { expectLessons, expectLoginPage, login, logoutButton, unexpectedErrors, useBrowser } from './support/browser.ts';
import { ACCESS_TTL_SECONDS, ADMIN, API, AUTH, DEMO, WEB } from './support/stack.ts';

const EXPIRED = 'Your session has expired. Please sign in again.';
const TTL_MS = ACCESS_TTL_SECONDS * 1000;

const { open } = useBrowser();

/** What one browser context sent: statuses of `POST /auth/refresh`, bearer tokens sent to the API. */
function traffic(context: BrowserContext) {
  const refreshes: number[] = [];
  const apiTokens: string[] = [];
  context.on('response', (response) => {
    if (response.url() === `${AUTH}/auth/refresh` && response.request().method() === 'POST') refreshes.push(response.status());
  });
  context.on('request', (request) => {
    const auth = request.headers()['authorization'];
    if (request.url().startsWith(`${API}/`) && auth?.startsWith('Bearer ')) apiTokens.push(auth.slice('Bearer '.length));
  });
  return {
    refreshes,
    apiTokens,
    /** Forgets what was seen so far (e.g. the logged-out page's cookie probe, a 401 by design). */
    reset() {
      refreshes.length = 0;
      apiTokens.length = 0;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function toasts(page: Page): Promise<string[]> {
  return page.locator('.toast span').allTextContents();
}

describe('sessions in the browser', () => {
  test('the access token expires mid-session and is renewed silently: the next API call just works', async () => {
    const session = await open();
    const seen = traffic(session.context);
    const page = await session.newPage();
    await login(page, ADMIN);
    const first = seen.apiTokens[0]!;
    seen.reset();
    expect(claims(first)['exp']).toBeTypeOf('number');

    // Past the first token's expiry, with the page left alone.
    await sleep(TTL_MS + 1_500);
    expect((claims(first)['exp'] as number) * 1000).toBeLessThan(Date.now());
    expect(new URL(page.url()).pathname).toBe('/lessons');
    await logoutButton(page).waitFor();

    const title = `After expiry ${randomUUID().slice(0, 8)}`;
    await page.getByLabel('Title').fill(title);
    const posted = page.waitForResponse((r) => r.url() === `${API}/api/lessons` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Add lesson' }).click();
    expect((await posted).status()).toBe(201);
    await page.locator('li.lesson h2', { hasText: title }).waitFor();

    expect(seen.refreshes.length).toBeGreaterThan(0);
    expect(seen.refreshes.every((status) => status === 200)).toBe(true);
    const last = seen.apiTokens.at(-1)!;
    expect(last).not.toBe(first);
    expect((claims(last)['exp'] as number) * 1000).toBeGreaterThan(Date.now() - 1_000);
    expect(await toasts(page)).not.toContain(EXPIRED);
    expect(new URL(page.url()).pathname).toBe('/lessons');
  });

  test('two tabs reloading (so refreshing) at once and across expiries both stay signed in', async () => {
    const session = await open();
    const seen = traffic(session.context);
    const one = await session.newPage();
    await login(one, DEMO);
    const two = await session.newPage();
    await two.goto(`${WEB}/lessons`);
    await expectLessons(two);
    seen.reset();

    // Both restore from the one refresh cookie at the same moment.
    await Promise.all([one.reload(), two.reload()]);
    await Promise.all([expectLessons(one), expectLessons(two)]);
    // And both keep renewing their tokens past the next expiry.
    await sleep(TTL_MS + 1_500);
    await Promise.all([one.reload(), two.reload()]);
    await Promise.all([expectLessons(one), expectLessons(two)]);

    expect(seen.refreshes.length).toBeGreaterThanOrEqual(4);
    expect(seen.refreshes.filter((status) => status !== 200)).toEqual([]);
    for (const page of [one, two]) expect(await toasts(page)).not.toContain(EXPIRED);
  });

  test('logging out in one tab logs out the other', async () => {
    const session = await open();
    const one = await session.newPage();
    await login(one, DEMO);
    const two = await session.newPage();
    await two.goto(`${WEB}/lessons`);
    await expectLessons(two);

    await logoutButton(one).click();
    await expectLoginPage(one);
    await expectLoginPage(two);
    expect(await two.locator('li.lesson').count()).toBe(0);
    // Signed out for real, not just in the page: a reload of the other tab stays out.
    await two.goto(`${WEB}/lessons`);
    await expectLoginPage(two, '/lessons');
  });

  test('a session revoked elsewhere (DELETE /auth/sessions/:id) sends the browser back to the login page', async () => {
    const user = await signupFreshUser();
    const session = await open();
    const seen = traffic(session.context);
    const page = await session.newPage();
    await login(page, user);

    // The same user on another device ends the browser's session.
    const other = await apiLogin(user.email, user.password);
    const sessions = await listSessions(other.access_token);
    const browserSessions = sessions.filter((s) => !s.current);
    expect(browserSessions.length).toBe(1);
    await revokeSession(other.access_token, browserSessions[0]!.id);

    // At the latest when its access token runs out, the page learns and goes to /login.
    await expectLoginPage(page, '/lessons');
    await expect.poll(() => toasts(page), { timeout: 10_000 }).toContain(EXPIRED);
    expect(seen.refreshes).toContain(401);
    await page.reload();
    await expectLoginPage(page);
    expect(await listSessions(other.access_token)).toHaveLength(1);
  });

  test('localStorage mode: another client logging out with the refresh token ends the browser session too', async () => {
    const user = await signupFreshUser();
    const session = await open();
    const page = await session.newPage();
    await login(page, user, '?storage=local');
    // In this mode the refresh token sits in localStorage (the documented XSS trade-off): take it,
    // as a second client would, and end the session with it.
    const stored = await page.evaluate(() => Object.values(localStorage).join('\n'));
    const refreshToken = /"refresh_?[tT]oken"\s*:\s*"([^"]+)"/.exec(stored)?.[1];
    expect(refreshToken, 'refresh token in localStorage').toBeTruthy();
    await apiLogout(refreshToken!);

    await expectLoginPage(page, '/lessons');
    await expect.poll(() => toasts(page), { timeout: 10_000 }).toContain(EXPIRED);
    await page.reload();
    await expectLoginPage(page);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
