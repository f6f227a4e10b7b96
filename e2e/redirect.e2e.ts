/**
 * The demo app in the redirect flow (OAuth authorization code with PKCE, as the client
 * `sigil-demo`), opened at http://127.0.0.1:4200: another site than the auth server on
 * http://localhost:4000, in a Chromium that blocks third-party cookies. Sign-in on the auth
 * server's page, a second tab sharing the session, refreshes through /oauth/token (once across
 * tabs), logout through the end-session endpoint, and the hosted pages of the flow with JavaScript off.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { claims, signupFreshUser } from './support/api.ts';
import { expectLessons, logoutButton, unexpectedErrors, useBrowser } from './support/browser.ts';
import { ACCESS_TTL_SECONDS, API, AUTH } from './support/stack.ts';

/** The app by its address: not the auth server's site (localhost), so its cookies are third-party here. */
const APP = 'http://127.0.0.1:4200';
const CALLBACK = `${APP}/auth/callback`;
const SESSION_KEY = `sigil:session:${AUTH}`;
const TTL_MS = ACCESS_TTL_SECONDS * 1000;

// Chromium's switch for blocking third-party cookies (its "phase-out" testing mode); the first
// test proves it is in force.
const { open } = useBrowser(['--test-third-party-cookie-phaseout']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a context sent to the token endpoint: each request's form and its answer's status. */
function tokenTraffic(context: BrowserContext) {
  const requests: Array<{ form: URLSearchParams; status: number }> = [];
  const revocations: number[] = [];
  context.on('response', (response) => {
    const request = response.request();
    if (request.method() !== 'POST') return;
    if (response.url() === `${AUTH}/oauth/token`)
      requests.push({ form: new URLSearchParams(request.postData() ?? ''), status: response.status() });
    if (response.url() === `${AUTH}/oauth/revoke`) revocations.push(response.status());
  });
  const refreshes = () => requests.filter((r) => r.form.get('grant_type') === 'refresh_token');
  return { requests, refreshes, revocations };
}

/** The Bearer tokens the app sent to the demo API. */
function apiTokens(context: BrowserContext): string[] {
  const tokens: string[] = [];
  context.on('request', (request) => {
    const authorization = request.headers()['authorization'];
    if (request.url().startsWith(`${API}/`) && authorization?.startsWith('Bearer ')) tokens.push(authorization.slice('Bearer '.length));
  });
  return tokens;
}

/**
 * Signs in as a user does in the redirect flow: the app's /signin button, the auth server's own
 * page, and back through /auth/callback to the lessons.
 */
async function signInWithRedirect(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto(`${APP}/signin?flow=redirect`);
  const button = page.getByRole('button', { name: 'Sign in with Sigil' });
  await expect.poll(() => button.isEnabled()).toBe(true);
  await button.click();
  await page.waitForURL((url) => url.origin === AUTH && url.pathname === '/login');
  const form = page.locator('form:has(input[type=password])');
  await form.locator('input[type=email]').fill(user.email);
  await form.locator('input[type=password]').fill(user.password);
  await form.locator('button[type=submit]').click();
  await page.waitForURL(`${APP}/lessons`);
  await expectLessons(page);
}

const storedSession = (page: Page) =>
  page.evaluate(
    (key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { accessToken: string; refreshToken: string } | null,
    SESSION_KEY,
  );

/** The page shows the redirect flow's sign-in page: signed out. */
async function expectSignInPage(page: Page): Promise<void> {
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/signin');
  await page.getByRole('button', { name: 'Sign in with Sigil' }).waitFor();
  expect(await logoutButton(page).count()).toBe(0);
}

describe('the redirect flow, cross-site, third-party cookies blocked', () => {
  test('the browser blocks third-party cookies: a cookie of the auth server does not go along from the app', async () => {
    const session = await open([]);
    await session.context.addCookies([{ name: 'e2e_canary', value: '1', domain: 'localhost', path: '/', sameSite: 'None', secure: true }]);
    const page = await session.newPage();
    // First-party, it goes along: the cookie is there.
    const direct = await page.goto(`${AUTH}/healthz`);
    expect((await direct!.request().allHeaders())['cookie']).toContain('e2e_canary=1');
    // From the app's site, a credentialed request to the auth server carries none.
    await page.goto(`${APP}/signin?flow=redirect`);
    const sent = page.waitForRequest(`${AUTH}/healthz?from-app`);
    await page.evaluate((url) => fetch(url, { credentials: 'include', mode: 'no-cors' }).then(() => undefined), `${AUTH}/healthz?from-app`);
    expect((await (await sent).allHeaders())['cookie']).toBeUndefined();
  });

  test("signs in on the auth server's page and back through /auth/callback: code + PKCE, then the API works", async () => {
    const user = await signupFreshUser();
    const session = await open([]);
    const traffic = tokenTraffic(session.context);
    const tokens = apiTokens(session.context);
    const page = await session.newPage();

    const authorizeRequest = page.waitForRequest((request) => request.url().startsWith(`${AUTH}/oauth/authorize?`));
    await signInWithRedirect(page, user);
    const authorize = new URL((await authorizeRequest).url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'sigil-demo',
      redirect_uri: CALLBACK,
      code_challenge_method: 'S256',
    });
    expect(traffic.requests).toHaveLength(1);
    const [exchange] = traffic.requests;
    expect(exchange!.status).toBe(200);
    expect(exchange!.form.get('grant_type')).toBe('authorization_code');
    expect(exchange!.form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createHash('sha256').update(exchange!.form.get('code_verifier')!).digest('base64url')).toBe(
      authorize.searchParams.get('code_challenge'),
    );
    // The API got the OAuth session's access token.
    expect(claims(tokens[0]!)).toMatchObject({ client_id: 'sigil-demo', email: user.email });
    // The session is the app's (localStorage), shown under the user's name.
    expect((await storedSession(page))?.accessToken).toBe(tokens[0]);
    await page.getByText(`Signed in as ${user.name}`).waitFor();
  });

  test('a second tab shares the session; across expiries the two refresh once per token, never presenting one twice', async () => {
    const user = await signupFreshUser();
    const session = await open([]);
    const traffic = tokenTraffic(session.context);
    const first = await session.newPage();
    await signInWithRedirect(first, user);
    const second = await session.newPage();
    await second.goto(`${APP}/lessons?flow=redirect`);
    await expectLessons(second);

    // Both tabs' refresh timers run across three lifetimes of the token, and both tabs reload at once.
    const started = Date.now();
    await sleep(TTL_MS + 1_000);
    await Promise.all([first.reload(), second.reload()]);
    await Promise.all([expectLessons(first), expectLessons(second)]);
    await sleep(2 * TTL_MS);
    const elapsed = Date.now() - started;

    const refreshes = traffic.refreshes();
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    // One refresh per renewal for both tabs: each rotated refresh token is presented exactly once.
    const presented = refreshes.map((r) => r.form.get('refresh_token'));
    expect(new Set(presented).size).toBe(presented.length);
    // Renewals come at half the lifetime (the client's leeway is capped there): at most one each
    // time for the two tabs together, plus the reloads' one.
    expect(refreshes.length).toBeLessThanOrEqual(Math.ceil(elapsed / (TTL_MS / 2)) + 1);
    // Both tabs are still signed in, on the same session.
    await Promise.all([logoutButton(first).waitFor(), logoutButton(second).waitFor()]);
    expect((await storedSession(first))?.refreshToken).toBe((await storedSession(second))?.refreshToken);
  });

  test('the access token is renewed through /oauth/token without the user doing anything', async () => {
    const user = await signupFreshUser();
    const session = await open([]);
    const traffic = tokenTraffic(session.context);
    const tokens = apiTokens(session.context);
    const page = await session.newPage();
    await signInWithRedirect(page, user);
    const first = tokens[0]!;

    await sleep(TTL_MS + 1_500);
    expect((claims(first)['exp'] as number) * 1000).toBeLessThan(Date.now());
    const refreshes = traffic.refreshes();
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((r) => r.status === 200 && r.form.get('client_id') === 'sigil-demo')).toBe(true);
    // The next API call goes out with a renewed token.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('link', { name: 'Lessons', exact: true }).click();
    await expectLessons(page);
    const last = tokens.at(-1)!;
    expect(last).not.toBe(first);
    expect((claims(last)['exp'] as number) * 1000).toBeGreaterThan(Date.now() - 1_000);
  });

  test('logout revokes the refresh token, ends the session at the auth server and comes back signed out, in every tab', async () => {
    const user = await signupFreshUser();
    const session = await open([]);
    const traffic = tokenTraffic(session.context);
    const page = await session.newPage();
    await signInWithRedirect(page, user);
    const other = await session.newPage();
    await other.goto(`${APP}/lessons?flow=redirect`);
    await expectLessons(other);
    const { refreshToken } = (await storedSession(page))!;

    const endSession = page.waitForRequest((request) => request.url().startsWith(`${AUTH}/oauth/logout?`));
    await logoutButton(page).click();
    const end = new URL((await endSession).url());
    expect(end.searchParams.get('client_id')).toBe('sigil-demo');
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(claims(end.searchParams.get('id_token_hint')!)).toMatchObject({ aud: 'sigil-demo', iss: AUTH });
    await expectSignInPage(page);
    await expectSignInPage(other);
    expect(traffic.revocations).toEqual([200]);
    expect(await storedSession(page)).toBeNull();

    // The refresh token the app held is dead at the server.
    const refused = await fetch(`${AUTH}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'sigil-demo' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('with JavaScript off, the authorization request, the hosted sign-in form and its redirect with the code all work', async () => {
    const user = await signupFreshUser();
    const session = await open([], { javaScriptEnabled: false });
    const page = await session.newPage();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const authorize = new URL(`${AUTH}/oauth/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: 'sigil-demo',
      redirect_uri: CALLBACK,
      scope: 'openid profile email offline_access',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(name, value);

    await page.goto(authorize.href);
    expect(new URL(page.url()).pathname).toBe('/login');
    const form = page.locator('form:has(input[type=password])');
    await form.locator('input[type=email]').fill(user.email);
    await form.locator('input[type=password]').fill(user.password);
    const back = page.waitForRequest((request) => request.url().startsWith(`${CALLBACK}?`));
    await form.locator('button[type=submit]').click();
    // The browser lands on the app's callback with the answer (the app itself needs JavaScript).
    const answer = new URL((await back).url());
    expect(answer.searchParams.get('state')).toBe(state);
    expect(answer.searchParams.get('iss')).toBe(AUTH);
    const code = answer.searchParams.get('code');
    expect(code).toBeTruthy();

    // The code is good: exchanged as the app would, with the verifier.
    const exchanged = await fetch(`${AUTH}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: 'sigil-demo',
      }),
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as { id_token: string; refresh_token: string };
    expect(claims(tokens.id_token)).toMatchObject({ aud: 'sigil-demo', nonce, email: user.email });
    await fetch(`${AUTH}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: 'sigil-demo' }),
    });
  });

  test('no page of this file logged an unexpected error', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
