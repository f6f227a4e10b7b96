import { TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { createSigilClient, type SigilClient } from '@sigil/client';
import { AuthService, authInterceptor, provideSigilAuth } from '@sigil/angular';
import { API_ORIGIN } from '../settings';
import { Lessons } from './lessons';

const ISSUER = 'http://auth.test';
const LESSONS = `${API_ORIGIN}/api/lessons`;

/** The auth server's login endpoint as a `fetch`; `roles` decides who signs in. */
function authServer(roles: string[]): typeof fetch {
  return async () => {
    const user = { id: 'u1', email: 'demo@sigil.dev', name: 'Demo', roles };
    const body = { access_token: 'at-1', token_type: 'Bearer', expires_in: 900, expires_at: 0, refresh_token: 'rt-1', user };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}

describe('Lessons page', () => {
  let client: SigilClient;
  let backend: HttpTestingController;

  async function render(roles: string[]) {
    client = createSigilClient({ issuer: ISSUER, apiOrigins: [API_ORIGIN], fetch: authServer(roles) });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API_ORIGIN], client }),
      ],
    });
    await TestBed.inject(AuthService).login({ email: 'demo@sigil.dev', password: 'pw' });
    backend = TestBed.inject(HttpTestingController);
    // No whenStable() before the flush: it would wait for this very request.
    const fixture = TestBed.createComponent(Lessons);
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
});
