/**
 * A second relying party, one that knows nothing of Sigil's packages: a new Angular 22 app (`ng
 * new` from the registry) with angular-auth-oidc-client (the registry's latest 22.x), configured
 * with the tarball auth server's issuer and a client id only: the library reads every endpoint
 * from the discovery document. Its public client was registered with the app's origin as redirect
 * and post-logout URI (global-setup.ts), a third-party client (the user consents); the app's origin is not among the server's allowed
 * origins, so only the OAuth endpoints' own CORS serves it.
 *
 * In Chromium, the production build signs in through Sigil's hosted login page and its consent
 * page (authorization code with PKCE), shows the user from the userinfo endpoint, calls the Express app of
 * docs/express.md's quick start (served behind the app's own origin, under `/api/`) with the
 * access token, rotates the refresh token, and logs out (revocation, then RP-initiated logout),
 * after which the session's tokens are refused.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ngBuild, ngNew } from './support/angular-cli.ts';
import { launchChromium } from './support/browser.ts';
import { NPM_INSTALL_FLAGS, runOk } from './support/commands.ts';
import { expressApp, installedPackages } from './support/docs.ts';
import { installPackages } from './support/install.ts';
import { oidcRpFiles } from './support/oidc-rp-app.ts';
import { freePort, startProcess, type StartedProcess } from './support/processes.ts';
import { closeApp, serveApp } from './support/static-app.ts';

const { dir, tarballs, runtimes, server, rp } = inject('consumer');
const node24 = runtimes['24'];
const APP = 'consumer-rp';
const appDir = path.join(dir, APP);
const apiDir = path.join(dir, 'rp-api');
const origin = `http://localhost:${rp.port}`;
/** The hosted login page's password form (the page has a passkey form too). */
const PASSWORD_FORM = 'form:has(input[type=password])';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  end_session_endpoint: string;
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  refresh_token: string;
  id_token?: string;
  scope?: string;
}

/** A token endpoint exchange the browser made: its grant type and what it answered. */
interface Exchange {
  grantType: string | null;
  status: number;
  body: TokenResponse;
}

/** Runs `steps`; a failure also says where the browser was and what the page showed. */
async function onPage(page: Page, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    const shown = await page
      .locator('body')
      .innerText({ timeout: 1_000 })
      .catch(() => '(no page)');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nThe browser was at ${page.url()}, showing:\n${shown.slice(0, 1_500)}`,
      {
        cause: error,
      },
    );
  }
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

let discovery: Discovery;
let api: StartedProcess | undefined;
let apiPort = 0;
let http: Server | undefined;
let browser: Browser | undefined;

describe('an Angular 22 app with angular-auth-oidc-client, a relying party of the tarball auth server', () => {
  beforeAll(async () => {
    discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
    await ngNew(dir, APP, node24);
    await runOk('npm', ['install', 'angular-auth-oidc-client@22', ...NPM_INSTALL_FLAGS], { cwd: appDir, runtime: node24 });

    // The API: docs/express.md's quick start, its packages from the guide's install line.
    await mkdir(apiDir, { recursive: true });
    await writeFile(path.join(apiDir, 'package.json'), `${JSON.stringify({ name: 'rp-api', private: true, type: 'module' }, null, 2)}\n`);
    await installPackages(apiDir, node24, tarballs, installedPackages('express.md', 'express-install'));
    // Node 24 runs the guide's TypeScript as it is (type stripping).
    await writeFile(path.join(apiDir, 'server.ts'), expressApp('express-quickstart', server.issuer));
    apiPort = await freePort();
    api = await startProcess('node', ['server.ts'], { cwd: apiDir, runtime: node24, env: { PORT: String(apiPort) }, ready: /API on / });
  });

  afterAll(async () => {
    await browser?.close();
    await closeApp(http);
    await api?.stop();
  });

  it('installs angular-auth-oidc-client from the registry, and no Sigil package', async () => {
    const manifest = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['angular-auth-oidc-client']).toMatch(/^\^22\./);
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@sigil/'))).toEqual([]);
  });

  it('builds for production, configured with the issuer and the client id alone', async () => {
    for (const file of oidcRpFiles(server.issuer, rp.clientId)) await writeFile(path.join(appDir, 'src/app', file.name), file.code);
    await ngBuild(appDir, APP, node24);
  });

  it('signs in through the hosted login page, calls the API, rotates the refresh token and logs out', async () => {
    http = await serveApp(path.join(appDir, 'dist', APP, 'browser'), rp.port, { prefix: '/api/', port: apiPort });
    browser = await launchChromium();
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page: Page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    const exchanges: Exchange[] = [];
    // The token responses are read as they pass (route.fetch), not afterwards from the page: the
    // app navigates right after the code exchange, and Chromium drops the bodies of a page it left.
    await page.route(discovery.token_endpoint, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const grantType = new URLSearchParams(route.request().postData() ?? '').get('grant_type');
      const response = await route.fetch();
      exchanges.push({ grantType, status: response.status(), body: (await response.json()) as TokenResponse });
      await route.fulfill({ response });
    });
    const apiAuthorizations: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/me') apiAuthorizations.push(request.headers()['authorization'] ?? '');
    });

    await onPage(page, async () => {
      await page.goto(`${origin}/`);
      await page.getByText('Signed out').waitFor();
      await page.getByRole('button', { name: 'Sign in with Sigil' }).click();

      // The authorization endpoint sends the browser on to the hosted login page.
      await page.waitForURL((url) => url.origin === new URL(server.issuer).origin && url.pathname === '/login');
      await page.locator(`${PASSWORD_FORM} input[type=email]`).fill(server.member.email);
      await page.locator(`${PASSWORD_FORM} input[type=password]`).fill(server.member.password);
      await page.locator(`${PASSWORD_FORM} button[type=submit]`).click();

      // A third-party client: the consent page names it and what it asks for.
      await page.getByText(`${rp.clientName} asks to use your Sigil account ${server.member.email}`).waitFor();
      expect(await page.locator('li').allTextContents()).toEqual([
        'know who you are (your account id)',
        'see your email address',
        'see your name',
        'stay signed in until you sign out',
      ]);
      await page.getByRole('button', { name: 'Allow' }).click();

      // Back at the app with a code: exchanged, the ID token checked, the user read from userinfo.
      await page.getByText(`Signed in as Max Member (${server.member.email})`).waitFor();
      expect(new URL(page.url()).origin).toBe(origin);
      await expect.poll(() => exchanges.length).toBe(1);
      const [code] = exchanges;
      expect(code).toMatchObject({ grantType: 'authorization_code', status: 200, body: { token_type: 'Bearer' } });
      const access = claims(code!.body.access_token);
      expect(access).toMatchObject({ iss: server.issuer, aud: 'sigil', client_id: rp.clientId });
      expect(String(access['scope']).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
      expect(claims(code!.body.id_token!)).toMatchObject({ iss: server.issuer, aud: rp.clientId, sub: access['sub'] });

      // The API of the quick start accepts the token: its audience is the server's default one.
      await page.getByRole('button', { name: 'Call the API' }).click();
      await page.getByText(`The API says: ${server.member.email}, subject ${String(access['sub'])}`).waitFor();
      expect(apiAuthorizations).toEqual([`Bearer ${code!.body.access_token}`]);

      // A reload keeps the session (the library's session storage).
      await page.reload();
      await page.getByText(`Signed in as Max Member (${server.member.email})`).waitFor();

      // A refresh grant: a new refresh token (rotation), a new access token that the API accepts.
      await page.getByRole('button', { name: 'Refresh the tokens' }).click();
      await page.getByText('Refresh grants: 1').waitFor();
      await expect.poll(() => exchanges.length).toBe(2);
      const refreshed = exchanges[1]!;
      expect(refreshed).toMatchObject({ grantType: 'refresh_token', status: 200 });
      expect(refreshed.body.refresh_token).not.toBe(code!.body.refresh_token);
      expect(refreshed.body.access_token).not.toBe(code!.body.access_token);
      await page.getByRole('button', { name: 'Call the API' }).click();
      await page.getByText(`The API says: ${server.member.email}`).waitFor();
      expect(apiAuthorizations.at(-1)).toBe(`Bearer ${refreshed.body.access_token}`);

      // Logout: the tokens revoked, then the end-session endpoint, which sends the browser back.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL((url) => url.origin === origin && !url.pathname.startsWith('/login'));
      await page.getByText('Signed out').waitFor();
      const afterLogout = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, client_id: rp.clientId }),
      });
      expect(afterLogout.status).toBe(400);
      expect(await afterLogout.json()).toMatchObject({ error: 'invalid_grant' });
      const userinfo = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
      expect(userinfo.status).toBe(401);

      expect(await page.getByRole('alert').count()).toBe(0);
    });
    expect(errors).toEqual([]);
  });
});
