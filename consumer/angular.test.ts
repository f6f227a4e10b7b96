/**
 * @sigil/angular in a new Angular 22 app made by the Angular CLI from the registry (`ng new`:
 * standalone, zoneless, no SSR), with @sigil/angular and @sigil/client installed from their
 * tarballs and wired exactly as docs/angular.md shows (its code blocks are the app's files). The
 * production build signs in against the tarball auth server in Chromium.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './support/browser.ts';
import { ngBuild, ngNew } from './support/angular-cli.ts';
import { angularFiles, installedPackages } from './support/docs.ts';
import { installPackages } from './support/install.ts';
import { closeApp, serveApp } from './support/static-app.ts';

const { dir, tarballs, runtimes, server, webPort } = inject('consumer');
const node24 = runtimes['24'];
const APP = 'consumer-app';
const appDir = path.join(dir, APP);
const web = `http://localhost:${webPort}`;

let http: Server | undefined;
let browser: Browser | undefined;
const errors: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser!.newContext();
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The failures the app causes on purpose: the cookie-session probe of a signed-out start, and
    // the wrong password.
    const expected =
      /Failed to load resource: the server responded with a status of 401/.test(message.text()) &&
      /\/auth\/(refresh|login)$/.test(message.location().url);
    if (!expected) errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  return page;
}

describe('an Angular 22 app from ng new, wired as docs/angular.md shows', () => {
  beforeAll(async () => {
    await ngNew(dir, APP, node24);
  });

  afterAll(async () => {
    await browser?.close();
    await closeApp(http);
  });

  it('installs the packages of the guide from their tarballs', async () => {
    const names = installedPackages('angular.md', 'angular-install');
    expect(names).toEqual(['@sigil/angular', '@sigil/client']);
    await installPackages(appDir, node24, tarballs, names);
    const manifest = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@sigil/angular']).toMatch(/^file:\.\.\/tarballs\/sigil-angular-/);
  });

  it('builds for production with the guide files', async () => {
    for (const file of angularFiles(server.issuer, server.issuer)) await writeFile(path.join(appDir, 'src/app', file.name), file.code);
    await ngBuild(appDir, APP, node24);
  });

  it('signs in against the tarball auth server, restores the session on reload, and signs out', async () => {
    http = await serveApp(path.join(appDir, 'dist', APP, 'browser'), webPort);
    browser = await launchChromium();
    const page = await newPage();

    await page.goto(`${web}/`);
    // authGuard: signed out, so to the login page with the way back.
    await page.waitForURL(`${web}/login?returnUrl=%2F`);

    await page.locator('input[type=email]').fill(server.member.email);
    await page.locator('input[type=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Invalid email or password');

    await page.locator('input[type=password]').fill(server.member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${web}/`);
    await page.getByText('Signed in as Max Member').waitFor();

    // cookieSession(): the refresh token is in the auth server's HttpOnly cookie.
    await page.reload();
    await page.getByText('Signed in as Max Member').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${web}/login`);
    await page.goto(`${web}/`);
    await page.waitForURL(`${web}/login?returnUrl=%2F`);
    expect(errors).toEqual([]);
  });
});
