/**
 * The admin-only "Add lesson" form: shown to and working for the admin, absent for the demo
 * user, whose POST the API itself refuses (403), whatever the UI shows.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { apiLogin, lessonTitles, postLesson } from './support/api.ts';
import { login, unexpectedErrors, useBrowser } from './support/browser.ts';
import { ADMIN, API, DEMO } from './support/stack.ts';

const { open } = useBrowser();

describe('admin-only add-lesson form', () => {
  test('the admin sees the form and adds a lesson: listed in the page and by the API', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, ADMIN);
    expect(await page.locator('.user .badge').textContent()).toContain('admin');

    const title = `E2E lesson ${randomUUID().slice(0, 8)}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Summary').fill('Added by the browser test.');
    await page.getByLabel('Level').selectOption('advanced');
    const posted = page.waitForResponse((r) => r.url() === `${API}/api/lessons` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Add lesson' }).click();
    expect((await posted).status()).toBe(201);
    await page.locator('li.lesson h2', { hasText: title }).waitFor();
    await expect.poll(() => page.locator('.toast').allTextContents()).toContain(`Lesson “${title}” added.×`);
    expect(await page.getByLabel('Title').inputValue()).toBe('');

    // Stored by the API, not only shown: another user sees it too.
    const demo = await apiLogin(DEMO.email, DEMO.password);
    expect(await lessonTitles(demo.access_token)).toContain(title);
  });

  test('the demo user sees no form, and the API answers his POST with 403 insufficient_scope', async () => {
    const session = await open();
    const page = await session.newPage();
    await login(page, DEMO);
    expect(await page.getByRole('heading', { name: 'Add lesson' }).count()).toBe(0);
    expect(await page.locator('form').count()).toBe(0);

    const demo = await apiLogin(DEMO.email, DEMO.password);
    const title = `Sneaky ${randomUUID().slice(0, 8)}`;
    const refused = await postLesson(demo.access_token, title);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'insufficient_scope', status: 403 });
    expect(await lessonTitles(demo.access_token)).not.toContain(title);
    // The same request with the admin's token works: the 403 is about the role, not the request.
    const admin = await apiLogin(ADMIN.email, ADMIN.password);
    expect((await postLesson(admin.access_token, `${title} (admin)`)).status).toBe(201);
  });

  test('no console errors or uncaught exceptions on any page above', () => {
    expect(unexpectedErrors).toEqual([]);
  });
});
