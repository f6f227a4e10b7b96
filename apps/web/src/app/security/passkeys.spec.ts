import { Component } from '@angular/core';
import { renderPage, type FakeAuthServer } from '../../testing/auth-server';
import { installWebAuthn } from '../../testing/webauthn';
import { Security } from './security';

@Component({ template: '<p>stub</p>' })
class Stub {}

const routes = [
  { path: 'security', component: Security },
  { path: 'login', component: Stub },
];

type Page = Awaited<ReturnType<typeof renderPage>>;
const names = (page: Page) => [...page.page().querySelectorAll('.passkey strong')].map((s) => s.textContent?.trim());
const status = (page: Page) => page.get('app-passkeys-settings [role=status]').textContent?.trim();

describe('Security page: passkeys', () => {
  let page: Page;
  let browser: ReturnType<typeof installWebAuthn> | undefined;
  afterEach(() => {
    page.destroy();
    browser?.uninstall();
    browser = undefined;
  });

  async function open(prepare?: (server: FakeAuthServer) => void) {
    page = await renderPage(routes, '/security', { signedIn: true, prepare });
    await vi.waitFor(() => expect(page.page().querySelector('.passkey-list')).not.toBeNull(), { timeout: 10_000 });
  }

  it('says so in a browser without passkeys, and offers none', async () => {
    page = await renderPage(routes, '/security', { signedIn: true });
    expect(page.get('app-passkeys-settings').textContent).toContain('This browser does not support passkeys.');
    expect(page.page().querySelector('#passkey-name')).toBeNull();
    expect(page.server.callsTo('/auth/passkeys')).toEqual([]);
  });

  it('adds a passkey with the name given, lists it and announces it', async () => {
    browser = installWebAuthn();
    await open();
    expect(page.get('.passkey-list').textContent).toContain('No passkeys yet.');
    page.fill('#passkey-name', 'Work laptop');
    await page.submit('app-passkeys-settings form');
    expect(browser.calls).toEqual([{ kind: 'create', mediation: undefined }]);
    expect(page.server.callsTo('/auth/passkeys/registration')[0]?.body).toMatchObject({
      name: 'Work laptop',
      response: { type: 'public-key' },
    });
    expect(names(page)).toEqual(['Work laptop']);
    expect(status(page)).toBe('Passkey “Work laptop” added. You can sign in with it now.');
    expect(page.get<HTMLInputElement>('#passkey-name').value).toBe('');
  });

  it('says what happened when the browser request is cancelled', async () => {
    browser = installWebAuthn();
    await open();
    browser.refuseNext('NotAllowedError');
    await page.submit('app-passkeys-settings form');
    expect(page.get('#passkeys-error').textContent).toContain('No passkey was created');
    expect(names(page)).toEqual([]);
  });

  it('renames a passkey in place: the field gets focus, then focus goes back to its button', async () => {
    browser = installWebAuthn();
    await open((server) => server.addPasskey('Phone'));
    expect(page.get('.passkey').textContent).toContain('last used');
    await page.click('[aria-label="Rename Phone"]');
    const field = page.get<HTMLInputElement>('#rename-pk-1');
    expect(page.get('label[for=rename-pk-1]').textContent).toContain('New name for Phone');
    await vi.waitFor(() => expect(document.activeElement).toBe(field));
    field.value = 'Old phone';
    await page.submit('form.rename');
    expect(page.server.callsTo('/auth/passkeys/pk-1')).toEqual([expect.objectContaining({ method: 'PATCH', body: { name: 'Old phone' } })]);
    expect(names(page)).toEqual(['Old phone']);
    expect(status(page)).toBe('Passkey renamed to “Old phone”.');
    await vi.waitFor(() => expect(document.activeElement).toBe(page.get('[aria-label="Rename Old phone"]')));
  });

  it('deletes a passkey, announces it and moves focus to the section heading', async () => {
    browser = installWebAuthn();
    await open((server) => server.addPasskey('Phone'));
    await page.click('[aria-label="Delete Phone"]');
    expect(page.server.callsTo('/auth/passkeys/pk-1')).toEqual([expect.objectContaining({ method: 'DELETE' })]);
    expect(names(page)).toEqual([]);
    expect(status(page)).toBe('Passkey “Phone” deleted. It no longer signs in.');
    await vi.waitFor(() => expect(document.activeElement).toBe(page.get('#passkeys-title')));
  });
});
