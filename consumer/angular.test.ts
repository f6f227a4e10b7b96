/**
 * @sigil/angular in a new Angular 22 app made by the Angular CLI from the registry (`ng new`:
 * standalone, zoneless, no SSR), with @sigil/angular and @sigil/client installed from their
 * tarballs and wired exactly as docs/angular.md shows (its code blocks are the app's files). The
 * production build signs in against the tarball auth server in Chromium.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NPM_INSTALL_FLAGS, runOk } from './support/commands.ts';
import { angularFiles, installedPackages } from './support/docs.ts';
import { installPackages } from './support/install.ts';

const { dir, tarballs, runtimes, server, webPort } = inject('consumer');
const node24 = runtimes['24'];
const APP = 'consumer-app';
const appDir = path.join(dir, APP);
const web = `http://localhost:${webPort}`;

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// DEVELOPERS.md "Browser tests".
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The built app's files, and index.html for every route (the app routes in the browser). */
function serveApp(root: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ico': 'image/x-icon' };
  const http = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', web).pathname);
    const file = path.join(root, path.normalize(pathname));
    const send = (target: string) =>
      readFile(target).then((body) => {
        response.writeHead(200, { 'Content-Type': types[path.extname(target)] ?? 'application/octet-stream' });
        response.end(body);
      });
    (file.startsWith(root) && path.extname(file) ? send(file) : Promise.reject(new Error('route')))
      .catch(() => send(path.join(root, 'index.html')))
      .catch(() => {
        response.writeHead(404);
        response.end();
      });
  });
  return new Promise((resolve) => http.listen(webPort, '127.0.0.1', () => resolve(http)));
}

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
    const ng = [
      '--yes',
      '@angular/cli@22',
      'new',
      APP,
      '--defaults',
      '--skip-git',
      '--skip-install',
      '--ssr=false',
      '--style=css',
      '--interactive=false',
    ];
    await runOk('npx', ng, { cwd: dir, runtime: node24 });
    await runOk('npm', ['install', ...NPM_INSTALL_FLAGS], { cwd: appDir, runtime: node24 });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
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
    await runOk('npx', ['ng', 'build'], { cwd: appDir, runtime: node24, timeoutMs: 420_000 });
  });

  it('signs in against the tarball auth server, restores the session on reload, and signs out', async () => {
    http = await serveApp(path.join(appDir, 'dist', APP, 'browser'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
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
