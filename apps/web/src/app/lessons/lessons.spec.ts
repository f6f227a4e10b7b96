import { TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { createSigilClient, type SigilClient } from '@sigil/client';
import { AuthService, authInterceptor, provideSigilAuth, stepUpInterceptor } from '@sigil/angular';
import { API_ORIGIN } from '../settings';
import { Lessons } from './lessons';

const ISSUER = 'http://auth.test';
const LESSONS = `${API_ORIGIN}/api/lessons`;

const CODE = '123456';
/** What the pages sent to the auth server ("METHOD /path" and the body). */
let authCalls: { route: string; body: Record<string, unknown> }[] = [];

/**
 * The auth server as a `fetch`; `roles` decides who signs in. The first login signs in with the
 * password alone (access token `at-1`); a later one (the step-up) asks for the second factor,
 * which `CODE` passes with a new access token.
 */
function authServer(roles: string[]): typeof fetch {
  let issued = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' },
    });
  const tokens = () => {
    const user = { id: 'u1', email: 'demo@sigil.dev', name: 'Demo', roles };
    return json(200, {
      access_token: `at-${++issued}`,
      token_type: 'Bearer',
      expires_in: 900,
      expires_at: 0,
      refresh_token: `rt-${issued}`,
      user,
    });
  };
  return async (input, init) => {
    const route = `${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`;
    const body = (init?.body ? JSON.parse(String(init.body)) : {}) as Record<string, unknown>;
    authCalls.push({ route, body });
    if (route === 'POST /auth/login') {
      if (body['password'] !== 'pw') return json(401, { status: 401, code: 'invalid_credentials' });
      return issued === 0
        ? tokens()
        : json(403, { status: 403, code: 'mfa_required', mfa_token: 'mfa-1', methods: ['totp'], expires_in: 300 });
    }
    if (route === 'POST /auth/mfa/verify') return body['code'] === CODE ? tokens() : json(401, { status: 401, code: 'invalid_mfa' });
    return new Response(null, { status: 204 });
  };
}

/** The API's step-up answer (RFC 9470), as @sigil/express sends it. */
const STEP_UP = {
  status: 401,
  statusText: 'Unauthorized',
  headers: { 'WWW-Authenticate': 'Bearer realm="sigil-demo-api", error="insufficient_user_authentication", max_age=300' },
};

describe('Lessons page', () => {
  let client: SigilClient;
  let backend: HttpTestingController;
  let fixtureOf: { whenStable(): Promise<void> };

  async function render(roles: string[]) {
    client = createSigilClient({ issuer: ISSUER, apiOrigins: [API_ORIGIN], fetch: authServer(roles) });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(withInterceptors([stepUpInterceptor, authInterceptor])),
        provideHttpClientTesting(),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API_ORIGIN], client }),
      ],
    });
    await TestBed.inject(AuthService).login({ email: 'demo@sigil.dev', password: 'pw' });
    backend = TestBed.inject(HttpTestingController);
    // No whenStable() before the flush: it would wait for this very request.
    authCalls = [];
    const fixture = TestBed.createComponent(Lessons);
    fixtureOf = fixture;
    const request = await vi.waitFor(() => backend.expectOne(LESSONS), { timeout: 10_000 });
    expect(request.request.headers.get('Authorization')).toBe('Bearer at-1');
    request.flush({ lessons: [{ id: '1', title: 'What a JWT is', summary: 'Header, claims, signature.', level: 'beginner' }] });
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    client.destroy();
    backend.verify();
  });

  it('lists the lessons from the API, sent with the access token', async () => {
    const page = await render([]);
    expect([...page.querySelectorAll('.lesson h2')].map((h) => h.textContent)).toEqual(['What a JWT is']);
  });

  it('hides the add-lesson form from non-admins', async () => {
    const page = await render([]);
    expect(page.querySelector('#add-title')).toBeNull();
  });

  it('lets an admin add a lesson and reloads the list', async () => {
    const page = await render(['admin']);
    const title = page.querySelector<HTMLInputElement>('#lesson-title')!;
    title.value = 'Refresh tokens';
    title.dispatchEvent(new Event('input'));
    page.querySelector<HTMLButtonElement>('.add-lesson button[type=submit]')!.click();

    const post = await vi.waitFor(() => backend.expectOne({ method: 'POST', url: LESSONS }), { timeout: 10_000 });
    expect(post.request.body).toEqual({ title: 'Refresh tokens', summary: '', level: 'beginner' });
    post.flush({ lesson: { id: '2', title: 'Refresh tokens' } }, { status: 201, statusText: 'Created' });
    const reload = await vi.waitFor(() => backend.expectOne({ method: 'GET', url: LESSONS }), { timeout: 10_000 });
    reload.flush({
      lessons: [
        { id: '1', title: 'What a JWT is' },
        { id: '2', title: 'Refresh tokens' },
      ],
    });
    await vi.waitFor(() => expect(page.querySelectorAll('.lesson')).toHaveLength(2), { timeout: 10_000 });
  });

  it('shows the API refusal when the server says 403', async () => {
    const page = await render(['admin']);
    const title = page.querySelector<HTMLInputElement>('#lesson-title')!;
    title.value = 'Sneaky';
    title.dispatchEvent(new Event('input'));
    page.querySelector<HTMLButtonElement>('.add-lesson button[type=submit]')!.click();
    const post = await vi.waitFor(() => backend.expectOne({ method: 'POST', url: LESSONS }), { timeout: 10_000 });
    post.flush({ code: 'insufficient_scope' }, { status: 403, statusText: 'Forbidden' });
    await vi.waitFor(() => expect(page.querySelector('#add-error')?.textContent).toContain('Only admins can add lessons.'), {
      timeout: 10_000,
    });
  });

  describe('delete (the step-up route)', () => {
    const LESSON = `${LESSONS}/1`;
    /** Waits for `selector` to be on the page. */
    const found = <E extends Element>(page: HTMLElement, selector: string) =>
      vi.waitFor(
        () => {
          const element = page.querySelector<E>(selector);
          if (!element) throw new Error(`no ${selector} yet`);
          return element;
        },
        { timeout: 10_000 },
      );
    const type = (page: HTMLElement, selector: string, value: string) => {
      const field = page.querySelector<HTMLInputElement>(selector)!;
      field.value = value;
      field.dispatchEvent(new Event('input'));
    };

    it('shows no delete button to non-admins', async () => {
      const page = await render([]);
      expect(page.querySelector('.lesson button')).toBeNull();
    });

    it('deletes at once when the sign-in is strong enough, announces it and reloads', async () => {
      const page = await render(['admin']);
      const button = page.querySelector<HTMLButtonElement>('#delete-1')!;
      expect(button.getAttribute('aria-label')).toBe('Delete What a JWT is');
      button.click();
      (await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 })).flush(null, {
        status: 204,
        statusText: 'No Content',
      });
      (await vi.waitFor(() => backend.expectOne({ method: 'GET', url: LESSONS }), { timeout: 10_000 })).flush({ lessons: [] });
      await vi.waitFor(() => expect(page.querySelector('[role=status]')?.textContent).toBe('Lesson “What a JWT is” deleted.'), {
        timeout: 10_000,
      });
      expect(page.querySelector('app-step-up-dialog')).toBeNull();
    });

    it('on a step-up challenge asks for password and code, signs in again and retries the delete with the new token', async () => {
      const page = await render(['admin']);
      page.querySelector<HTMLButtonElement>('#delete-1')!.click();
      (await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 })).flush(
        { status: 401, code: 'insufficient_user_authentication', detail: 'A stronger authentication method is required' },
        STEP_UP,
      );
      const dialog = await found<HTMLDialogElement>(page, 'dialog[aria-labelledby=step-up-title]');
      expect(dialog.hasAttribute('open')).toBe(true);
      expect(dialog.querySelector('#step-up-reason')?.textContent).toContain('Deleting “What a JWT is”');
      await vi.waitFor(() => expect(document.activeElement?.id).toBe('step-up-password'));

      // A wrong code is said on the code field; the dialog stays.
      type(page, '#step-up-password', 'pw');
      type(page, '#step-up-code', '000000');
      dialog.querySelector('form')!.requestSubmit();
      await vi.waitFor(() => expect(page.querySelector('#step-up-error')?.textContent).toContain('That code is not right'), {
        timeout: 10_000,
      });
      expect(document.activeElement?.id).toBe('step-up-code');

      type(page, '#step-up-code', CODE);
      dialog.querySelector('form')!.requestSubmit();
      const retry = await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 });
      expect(authCalls.filter((c) => c.route === 'POST /auth/mfa/verify').at(-1)?.body).toEqual({
        mfa_token: 'mfa-1',
        method: 'totp',
        code: CODE,
      });
      expect(retry.request.headers.get('Authorization')).toBe('Bearer at-2');
      retry.flush(null, { status: 204, statusText: 'No Content' });
      (await vi.waitFor(() => backend.expectOne({ method: 'GET', url: LESSONS }), { timeout: 10_000 })).flush({ lessons: [] });
      await vi.waitFor(() => expect(page.querySelector('[role=status]')?.textContent).toBe('Lesson “What a JWT is” deleted.'), {
        timeout: 10_000,
      });
      expect(page.querySelector('app-step-up-dialog')).toBeNull();
    });

    it('cancelling the dialog keeps the lesson, says so and returns focus to its button', async () => {
      const page = await render(['admin']);
      page.querySelector<HTMLButtonElement>('#delete-1')!.click();
      (await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 })).flush(
        { status: 401, code: 'insufficient_user_authentication' },
        STEP_UP,
      );
      const cancel = await found<HTMLButtonElement>(page, 'app-step-up-dialog .button-secondary');
      cancel.click();
      await fixtureOf.whenStable();
      await vi.waitFor(() => expect(page.querySelector('app-step-up-dialog')).toBeNull(), { timeout: 10_000 });
      expect(page.querySelector('#delete-error')?.textContent).toBe('“What a JWT is” was not deleted.');
      await vi.waitFor(() => expect(document.activeElement?.id).toBe('delete-1'));
      expect(authCalls.some((c) => c.route === 'POST /auth/mfa/verify')).toBe(false);
    });

    it('a second challenge after the step-up points to the Security page instead of asking again', async () => {
      const page = await render(['admin']);
      page.querySelector<HTMLButtonElement>('#delete-1')!.click();
      (await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 })).flush(
        { status: 401, code: 'insufficient_user_authentication' },
        STEP_UP,
      );
      await vi.waitFor(() => expect(page.querySelector('#step-up-password')).not.toBeNull(), { timeout: 10_000 });
      type(page, '#step-up-password', 'pw');
      type(page, '#step-up-code', CODE);
      page.querySelector<HTMLFormElement>('app-step-up-dialog form')!.requestSubmit();
      (await vi.waitFor(() => backend.expectOne({ method: 'DELETE', url: LESSON }), { timeout: 10_000 })).flush(
        { status: 401, code: 'insufficient_user_authentication' },
        STEP_UP,
      );
      await vi.waitFor(() => expect(page.querySelector('#delete-error')?.textContent).toContain('Security page'), { timeout: 10_000 });
      expect(page.querySelector('app-step-up-dialog')).toBeNull();
    });
  });
});
