import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { StepUpRequiredError, type SigilClient } from '@sigil/client';
import { API, BOB, ISSUER, STEP_UP, eventually, fakeAuthServer } from '../testing/fake-auth-server';
import { AuthService } from './auth.service';
import { authInterceptor } from './interceptor';
import { provideSigilAuth } from './provide';
import { stepUpInterceptor } from './step-up-interceptor';

@Component({ template: '' })
class Blank {}

// Both orders: the app may list the two interceptors either way round.
describe.each([
  ['before', [stepUpInterceptor, authInterceptor]],
  ['after', [authInterceptor, stepUpInterceptor]],
] as Array<[string, HttpInterceptorFn[]]>)('stepUpInterceptor %s authInterceptor', (_order, interceptors) => {
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
          { path: 'admin', component: Blank },
        ]),
        provideHttpClient(withInterceptors(interceptors)),
        provideHttpClientTesting(),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client }),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
    router = TestBed.inject(Router);
    await router.navigateByUrl('/admin');
    await auth.login({ email: BOB.email, password: 'battery staple' });
  });

  afterEach(() => {
    backend.verify();
    client.destroy();
  });

  async function send(url: string) {
    const response = firstValueFrom(http.delete(url));
    response.catch(() => undefined);
    const request = await eventually(() => backend.expectOne(url));
    return { request, response };
  }

  it('fails the request with StepUpRequiredError, the challenge read, the session kept', async () => {
    const { request, response } = await send(`${API}/api/lessons/1`);
    request.flush(STEP_UP.body, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': STEP_UP.challenge } });
    const error = await response.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(error).toMatchObject({ code: 'insufficient_user_authentication', status: 401, maxAge: 300, detail: STEP_UP.body.detail });
    expect((error as StepUpRequiredError).cause).toBeInstanceOf(HttpErrorResponse);
    expect(server.state.refreshCalls).toBe(0);
    expect(auth.isLoggedIn()).toBe(true);
    expect(router.url).toBe('/admin');
  });

  it('recognises the body alone (a cross-origin API that does not expose WWW-Authenticate)', async () => {
    const { request, response } = await send(`${API}/api/lessons/1`);
    request.flush(STEP_UP.body, { status: 401, statusText: 'Unauthorized' });
    await expect(response).rejects.toMatchObject({ name: 'StepUpRequiredError', maxAge: undefined });
    expect(server.state.refreshCalls).toBe(0);
  });

  it('leaves every other error as it is, a plain 401 included (which still renews the token once)', async () => {
    const forbidden = await send(`${API}/api/a`);
    forbidden.request.flush(null, { status: 403, statusText: 'Forbidden' });
    await expect(forbidden.response).rejects.toBeInstanceOf(HttpErrorResponse);
    const expired = await send(`${API}/api/b`);
    expired.request.flush(null, { status: 401, statusText: 'Unauthorized' });
    const retry = await eventually(() => backend.expectOne(`${API}/api/b`));
    retry.flush({ ok: true });
    await expect(expired.response).resolves.toEqual({ ok: true });
    expect(server.state.refreshCalls).toBe(1);
  });
});
