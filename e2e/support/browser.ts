/**
 * Debian's Chromium driven by playwright-core (DEVELOPERS.md "Browser tests"), and the helpers
 * every e2e file shares: a context that records console errors, and signing in through the UI.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { WEB } from './stack.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Generous: the machine has two cores and other builds share them. */
export const STEP_TIMEOUT = 30_000;

/** Launches Chromium (a fresh temporary profile each time), with `args` beside the suite's flags. */
export function launch(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...args], timeout: 60_000 });
}

/**
 * A failed request the browser itself reports on the console, which a test expects: the method
 * is not in the message, so it is matched by URL (prefix) and status.
 */
export interface ExpectedFailure {
  url: string;
  status: number;
}

/**
 * The one failed request every logged-out page load in cookie mode makes by design: the client
 * asks `POST /auth/refresh` with the (absent) HttpOnly cookie whether a session exists, and the
 * server answers 401.
 */
export const COOKIE_RESTORE_PROBE: ExpectedFailure = { url: 'http://localhost:4000/auth/refresh', status: 401 };

/**
 * Every console error and uncaught exception no test expected, from every page this test file
 * opened: each file's last test asserts that it is empty (one clear failure naming each error,
 * rather than every test failing for the same one).
 */
export const unexpectedErrors: string[] = [];

/** A browser context whose pages' console errors and uncaught exceptions are recorded. */
export interface Session {
  context: BrowserContext;
  /** Console errors and page errors that no test expected. */
  errors: string[];
  /** Opens a page (a tab of this context). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function newSession(
  browser: Browser,
  expected: ExpectedFailure[] = [COOKIE_RESTORE_PROBE],
  options: BrowserContextOptions = {},
): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  const errors: string[] = [];
  const record = (error: string) => {
    errors.push(error);
    unexpectedErrors.push(error);
  };
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    const failed = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
    if (failed && expected.some((e) => where.startsWith(e.url) && Number(failed[1]) === e.status)) return;
    record(`console error on ${message.page()?.url() ?? '?'}: ${text} (${where})`);
  };
  const watch = (page: Page) => {
    page.on('console', onConsole);
    page.on('pageerror', (error) => record(`uncaught on ${page.url()}: ${error.name}: ${error.message}`));
  };
  context.on('page', watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

/**
 * One browser for the calling test file (launched before its tests, closed after them, with
 * `args` beside the suite's flags) and an `open` that gives a recording context, closed after each test.
 */
export function useBrowser(args: readonly string[] = []): {
  open(expected?: ExpectedFailure[], options?: BrowserContextOptions): Promise<Session>;
} {
  let browser: Browser | undefined;
  const sessions: Session[] = [];
  beforeAll(async () => {
    browser = await launch(args);
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async open(expected = [COOKIE_RESTORE_PROBE], options = {}) {
      if (!browser) throw new Error('useBrowser: the browser is not launched yet');
      const session = await newSession(browser, expected, options);
      sessions.push(session);
      return session;
    },
  };
}

/** Fills and submits the app's sign-in form (the page must show it). */
export async function submitLogin(page: Page, email: string, password: string): Promise<void> {
  await page.locator('input[type=email]').fill(email);
  await page.locator('input[type=password]').fill(password);
  await page.locator('button[type=submit]').click();
}

/** Signs in through /login and waits for the lessons list. `query` picks e.g. `?storage=local`. */
export async function login(page: Page, user: { email: string; password: string }, query = ''): Promise<void> {
  await page.goto(`${WEB}/login${query}`);
  await submitLogin(page, user.email, user.password);
  await page.waitForURL(`${WEB}/lessons`);
  await expectLessons(page);
}

/** The lessons page with its list loaded and the "Log out" button: signed in. */
export async function expectLessons(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Lessons' }).waitFor();
  await page.locator('li.lesson').first().waitFor();
  await logoutButton(page).waitFor();
  expect(new URL(page.url()).pathname).toBe('/lessons');
}

export function logoutButton(page: Page) {
  return page.getByRole('button', { name: 'Log out' });
}

/** The sign-in page as the guard shows it. */
export async function expectLoginPage(page: Page, returnUrl?: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login' && (returnUrl === undefined || url.searchParams.get('returnUrl') === returnUrl));
  await page.locator('input[type=email]').waitFor();
  expect(await logoutButton(page).count()).toBe(0);
}
