import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { SigilClient } from '@sigil/client';
import { API, BOB, ISSUER, STEP_UP, deferred, eventually, fakeAuthServer } from '../testing/fake-auth-server';
import { AuthService } from './auth.service';
import { authInterceptor } from './interceptor';
import { provideSigilAuth } from './provide';

@Component({ template: '' })
class Blank {}

describe('authInterceptor', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilClient;
  let http: HttpClient;
  let backend: HttpTestingController;
  let auth: AuthService;
  let router: Router;

  beforeEach(async () => {
    server = fakeAuthServer();
    client = server.client();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'lessons', component: Blank },
        ]),
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API, ISSUER], client }),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
    router = TestBed.inject(Router);
    await router.navigateByUrl('/lessons?page=2');
    await auth.login({ email: BOB.email, password: 'battery staple' });
  });

  afterEach(() => {
    backend.verify();
    client.destroy();
  });

  /** Starts a GET and waits until the interceptor has handed it to the backend. */
  async function send(url: string) {
    const response = firstValueFrom(http.get(url));
    response.catch(() => undefined); // asserted by the test that cares
    const request = await eventually(() => backend.expectOne(url));
    return { request, response };
  }

  it('adds the Bearer header for a configured API origin', async () => {
    const { request, response } = await send(`${API}/api/lessons`);
    expect(request.request.headers.get('Authorization')).toBe('Bearer at-1');
    request.flush({ lessons: [] });
    await expect(response).resolves.toEqual({ lessons: [] });
  });

  it('never sends the token to another origin', async () => {
    const { request } = await send('https://third-party.example/pixel');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({});
  });

  it('never sends the token to the auth server token endpoints, even when the issuer is an API origin', async () => {
    const login = await send(`${ISSUER}/auth/login`);
    expect(login.request.request.headers.has('Authorization')).toBe(false);
    login.request.flush({}, { status: 401, statusText: 'Unauthorized' });
    await expect(login.response).rejects.toBeInstanceOf(HttpErrorResponse);
    // A 401 there is a wrong password, not an expired token: no refresh, still logged in.
    expect(server.state.refreshCalls).toBe(0);
    expect(auth.isLoggedIn()).toBe(true);

    const me = await send(`${ISSUER}/auth/me`);
    expect(me.request.request.headers.get('Authorization')).toBe('Bearer at-1');
    me.request.flush({ user: BOB });
  });

  it('sends no header when logged out', async () => {
    await auth.logout();
    const { request } = await send(`${API}/api/public`);
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({});
  });

  it('on 401 refreshes once and retries the request with the new token', async () => {
    const { request, response } = await send(`${API}/api/lessons`);
    request.flush(null, { status: 401, statusText: 'Unauthorized' });
    const retry = await eventually(() => backend.expectOne(`${API}/api/lessons`));
    expect(retry.request.headers.get('Authorization')).toBe('Bearer at-2');
    retry.flush({ lessons: [{ id: 1, title: 'JWT' }] });
    await expect(response).resolves.toEqual({ lessons: [{ id: 1, title: 'JWT' }] });
    expect(server.state.refreshCalls).toBe(1);
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('shares one refresh between requests that fail together', async () => {
    const urls = [1, 2, 3].map((n) => `${API}/api/lessons/${n}`);
    const sent = await Promise.all(urls.map((url) => send(url)));
    for (const { request } of sent) request.flush(null, { status: 401, statusText: 'Unauthorized' });
    for (const url of urls) {
      const retry = await eventually(() => backend.expectOne(url));
      expect(retry.request.headers.get('Authorization')).toBe('Bearer at-2');
      retry.flush({ ok: url });
    }
    await expect(Promise.all(sent.map((s) => s.response))).resolves.toEqual(urls.map((url) => ({ ok: url })));
    expect(server.state.refreshCalls).toBe(1);
  });

  it('holds requests made during a refresh and sends them with the new token', async () => {
    const gate = deferred();
    server.state.holdRefresh = gate.promise;
    const refreshing = auth.refresh();
    await eventually(() => expect(server.state.refreshCalls).toBe(1));

    const response = firstValueFrom(http.get(`${API}/api/lessons`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.match(`${API}/api/lessons`)).toHaveLength(0);

    gate.resolve();
    await expect(refreshing).resolves.toBe('at-2');
    const request = await eventually(() => backend.expectOne(`${API}/api/lessons`));
    expect(request.request.headers.get('Authorization')).toBe('Bearer at-2');
    request.flush({ lessons: [] });
    await response;
  });

  it('logs out and goes to the login route with returnUrl when the retry is refused too', async () => {
    const events: string[] = [];
    auth.events.subscribe((event) => events.push(event.type));
    const { request, response } = await send(`${API}/api/lessons`);
    request.flush(null, { status: 401, statusText: 'Unauthorized' });
    const retry = await eventually(() => backend.expectOne(`${API}/api/lessons`));
    retry.flush(null, { status: 401, statusText: 'Unauthorized' });

    await expect(response).rejects.toMatchObject({ status: 401 });
    await eventually(() => expect(router.url).toBe('/login?returnUrl=%2Flessons%3Fpage%3D2'));
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual(['session_expired']);
    // Exactly one refresh, one retry: backend.verify() in afterEach proves nothing else went out.
    expect(server.state.refreshCalls).toBe(1);
  });

  it('does not retry when the refresh is refused, and ends the session once', async () => {
    server.state.refuseRefresh = true;
    const events: string[] = [];
    auth.events.subscribe((event) => events.push(event.type));
    const sent = await Promise.all([send(`${API}/api/a`), send(`${API}/api/b`)]);
    for (const { request } of sent) request.flush(null, { status: 401, statusText: 'Unauthorized' });

    for (const { response } of sent) await expect(response).rejects.toMatchObject({ status: 401 });
    await eventually(() => expect(router.url).toBe('/login?returnUrl=%2Flessons%3Fpage%3D2'));
    expect(server.state.refreshCalls).toBe(1);
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual(['session_expired']);
  });

  it('keeps the session when the auth server cannot be reached for the refresh', async () => {
    server.state.refreshUnreachable = true;
    const events: string[] = [];
    auth.events.subscribe((event) => events.push(event.type));
    const { request, response } = await send(`${API}/api/lessons`);
    request.flush(null, { status: 401, statusText: 'Unauthorized' });

    await expect(response).rejects.toMatchObject({ status: 401 });
    expect(server.state.refreshCalls).toBe(1);
    expect(auth.isLoggedIn()).toBe(true);
    expect(events).toEqual([]);
    expect(router.url).toBe('/lessons?page=2');
  });

  it('keeps the session when the auth server is unavailable (503) for the refresh', async () => {
    server.state.refreshUnavailable = true;
    const events: string[] = [];
    auth.events.subscribe((event) => events.push(event.type));
    const { request, response } = await send(`${API}/api/lessons`);
    request.flush(null, { status: 401, statusText: 'Unauthorized' });

    await expect(response).rejects.toMatchObject({ status: 401 });
    expect(server.state.refreshCalls).toBe(1);
    expect(auth.isLoggedIn()).toBe(true);
    expect(events).toEqual([]);
    expect(router.url).toBe('/lessons?page=2');
  });

  describe('a step-up challenge (401 insufficient_user_authentication)', () => {
    it('passes through: no refresh, no logout, no navigation', async () => {
      const events: string[] = [];
      auth.events.subscribe((event) => events.push(event.type));
      const { request, response } = await send(`${API}/api/lessons/1`);
      request.flush(STEP_UP.body, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': STEP_UP.challenge } });
      const error = await response.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpErrorResponse);
      expect(error).toMatchObject({ status: 401, error: STEP_UP.body });
      expect(server.state.refreshCalls).toBe(0);
      expect(auth.isLoggedIn()).toBe(true);
      expect(events).toEqual([]);
      expect(router.url).toBe('/lessons?page=2');
    });

    it('is recognised from the challenge alone, or from the body alone', async () => {
      const byHeader = await send(`${API}/api/a`);
      byHeader.request.flush(null, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': STEP_UP.challenge } });
      await expect(byHeader.response).rejects.toMatchObject({ status: 401 });
      const byBody = await send(`${API}/api/b`);
      byBody.request.flush(STEP_UP.body, { status: 401, statusText: 'Unauthorized' });
      await expect(byBody.response).rejects.toMatchObject({ status: 401 });
      expect(server.state.refreshCalls).toBe(0);
      expect(auth.isLoggedIn()).toBe(true);
    });

    it('met by the retry after a refresh, keeps the session', async () => {
      const { request, response } = await send(`${API}/api/lessons/1`);
      request.flush(null, { status: 401, statusText: 'Unauthorized' });
      const retry = await eventually(() => backend.expectOne(`${API}/api/lessons/1`));
      retry.flush(STEP_UP.body, { status: 401, statusText: 'Unauthorized' });
      await expect(response).rejects.toMatchObject({ status: 401 });
      expect(server.state.refreshCalls).toBe(1);
      expect(auth.isLoggedIn()).toBe(true);
      expect(router.url).toBe('/lessons?page=2');
    });
  });

  it('passes other errors through without refreshing', async () => {
    const { request, response } = await send(`${API}/api/lessons`);
    request.flush(null, { status: 403, statusText: 'Forbidden' });
    await expect(response).rejects.toMatchObject({ status: 403 });
    expect(server.state.refreshCalls).toBe(0);
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('leaves a request that carries its own Authorization header alone', async () => {
    const response = firstValueFrom(http.get(`${API}/api/x`, { headers: { Authorization: 'Basic abc' } }));
    const request = await eventually(() => backend.expectOne(`${API}/api/x`));
    expect(request.request.headers.get('Authorization')).toBe('Basic abc');
    request.flush(null, { status: 401, statusText: 'Unauthorized' });
    await expect(response).rejects.toMatchObject({ status: 401 });
    expect(server.state.refreshCalls).toBe(0);
  });
});
