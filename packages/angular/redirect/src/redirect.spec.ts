import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import {
  authGuard,
  authInterceptor,
  AuthService,
  cookieSession,
  provideSigilAuth as provideSameSite,
  type SigilAuthEvent,
} from '@sigil/angular';
import type { SigilRedirectClient } from '@sigil/client/redirect';
import { firstValueFrom } from 'rxjs';
import { ALICE, API, CALLBACK, ISSUER, fakeAuthServer, eventually } from '../../src/testing/fake-auth-server';
import { AuthRedirectService } from './auth-redirect.service';
import { redirectCallbackGuard } from './callback-guard';
import { provideSigilAuth } from './provide';

@Component({ template: '' })
class Blank {}

const ROUTES = [
  { path: 'login', component: Blank },
  { path: 'lessons', component: Blank, canActivate: [authGuard] },
  { path: 'auth/callback', canActivate: [redirectCallbackGuard], children: [] },
  { path: '', component: Blank },
];

describe('the redirect flow (@sigil/angular/redirect)', () => {
  let server: ReturnType<typeof fakeAuthServer>;
  let client: SigilRedirectClient;
  let auth: AuthService;
  let redirect: AuthRedirectService;
  let router: Router;
  let events: SigilAuthEvent[];

  function setUp(extra: object[] = []) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(ROUTES),
        provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
        provideSigilAuth({ flow: 'redirect', issuer: ISSUER, apiOrigins: [API], clientId: 'app', redirectUri: CALLBACK, client }),
        ...extra,
      ],
    });
    auth = TestBed.inject(AuthService);
    redirect = TestBed.inject(AuthRedirectService);
    router = TestBed.inject(Router);
    events = [];
    auth.events.subscribe((event) => events.push(event));
  }

  beforeEach(() => {
    server = fakeAuthServer();
    client = server.redirectClient();
  });
  afterEach(() => client.destroy());

  /** The sign-in button, the user on the auth server's page, the browser back on the callback route. */
  async function signIn(returnTo?: string) {
    await redirect.loginWithRedirect({ returnTo });
    const callback = new URL(server.authorize(server.state.navigations.at(-1)!));
    await router.navigateByUrl(callback.pathname + callback.search);
  }

  it('loginWithRedirect sends the browser to the authorization endpoint with PKCE', async () => {
    setUp();
    await redirect.loginWithRedirect({ returnTo: '/lessons' });
    const url = new URL(server.state.navigations[0]!);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe('app');
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.isLoggedIn()).toBe(false);
  });

  it('the callback route signs in (signals, a login event) and goes on to returnTo', async () => {
    setUp();
    await signIn('/lessons');
    expect(router.url).toBe('/lessons');
    expect(auth.user()).toMatchObject({ id: ALICE.id, email: ALICE.email, name: 'Alice', roles: ['admin'] });
    expect(auth.isLoggedIn()).toBe(true);
    expect(auth.hasRole('admin')).toBe(true);
    expect(auth.expiresAt()).toBeGreaterThan(Date.now());
    expect(events).toEqual([{ type: 'login', user: auth.user() }]);
    expect(server.state.tokenCalls[0]).toMatchObject({ grant_type: 'authorization_code', client_id: 'app', redirect_uri: CALLBACK });
  });

  it('goes to / for a returnTo outside the app', async () => {
    setUp();
    await signIn('//evil.example/path');
    expect(router.url).toBe('/');
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('a refused answer goes to the login route with its code, signed out', async () => {
    setUp();
    await redirect.loginWithRedirect();
    const sent = new URL(server.state.navigations[0]!).searchParams;
    await router.navigateByUrl(`/auth/callback?error=access_denied&state=${sent.get('state')}&iss=${encodeURIComponent(ISSUER)}`);
    expect(router.url).toBe('/login?error=access_denied');
    expect(auth.isLoggedIn()).toBe(false);
    expect(events).toEqual([]);
  });

  it('an answer this tab did not ask for is state_mismatch; once signed in, a reloaded callback goes to /', async () => {
    setUp();
    await router.navigateByUrl(`/auth/callback?code=stolen&state=forged&iss=${encodeURIComponent(ISSUER)}`);
    expect(router.url).toBe('/login?error=state_mismatch');
    await signIn('/lessons');
    const used = server.state.navigations.at(-1)!;
    const callback = new URL(server.authorize(used));
    await router.navigateByUrl(callback.pathname + callback.search);
    expect(router.url).toBe('/');
    expect(auth.isLoggedIn()).toBe(true);
  });

  it('the interceptor sends the access token, and refresh() goes through the token endpoint', async () => {
    setUp();
    await signIn();
    const http = TestBed.inject(HttpClient);
    const seen: string[] = [];
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      seen.push(new Headers(init?.headers ?? (input as Request).headers).get('authorization') ?? '');
      return new Response('{}', { headers: { 'Content-Type': 'application/json' } });
    });
    try {
      await firstValueFrom(http.get(`${API}/data`));
      const token = await auth.refresh();
      expect(server.state.tokenCalls.at(-1)).toMatchObject({ grant_type: 'refresh_token', client_id: 'app' });
      await firstValueFrom(http.get(`${API}/data`));
      expect(seen).toEqual([expect.stringMatching(/^Bearer ey/), `Bearer ${token}`]);
      expect(seen[0]).not.toBe(seen[1]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('logout revokes the refresh token and leaves for the end-session endpoint, signed out', async () => {
    setUp();
    await signIn();
    await auth.logout();
    expect(server.state.revokeCalls).toEqual([expect.objectContaining({ token_type_hint: 'refresh_token', client_id: 'app' })]);
    const end = new URL(server.state.navigations.at(-1)!);
    expect(end.origin + end.pathname).toBe(`${ISSUER}/oauth/logout`);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe('http://app.test/');
    expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(auth.user()).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['login', 'logout']);
  });

  it('a refused refresh ends the session as in the same-site flow (session_expired, to the login route)', async () => {
    setUp();
    await signIn('/lessons');
    server.state.refuseRefresh = true;
    await expect(auth.refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    await eventually(() => expect(router.url).toBe('/login?returnUrl=%2Flessons'));
    expect(events.map((e) => e.type)).toEqual(['login', 'session_expired']);
  });

  it('AuthService.login is not how this flow signs in', async () => {
    setUp();
    await expect(auth.login({ email: ALICE.email, password: 'correct horse' })).rejects.toThrow(/loginWithRedirect/);
  });

  it('creates its own client in the browser from the options', async () => {
    const navigations: string[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter(ROUTES),
        provideSigilAuth({
          flow: 'redirect',
          issuer: ISSUER,
          apiOrigins: [API],
          clientId: 'app',
          redirectUri: CALLBACK,
          navigate: (url) => void navigations.push(url),
        }),
      ],
    });
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(server.fetch);
    try {
      await TestBed.inject(AuthRedirectService).loginWithRedirect();
      expect(new URL(navigations[0]!).searchParams.get('client_id')).toBe('app');
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('under SSR creates no client: logged out, and the sign-in rejects with not_logged_in', async () => {
    setUp([{ provide: PLATFORM_ID, useValue: 'server' }]);
    expect(auth.isLoggedIn()).toBe(false);
    await expect(redirect.loginWithRedirect()).rejects.toMatchObject({ code: 'not_logged_in' });
    await expect(redirect.handleRedirectCallback()).rejects.toMatchObject({ code: 'not_logged_in' });
  });

  it('refuses a mistake at startup with a TypeError', () => {
    const base = { flow: 'redirect' as const, issuer: ISSUER, apiOrigins: [API], clientId: 'app', redirectUri: CALLBACK };
    expect(() => provideSigilAuth({ ...base, flow: undefined as unknown as 'redirect' })).toThrow(/flow/);
    expect(() => provideSigilAuth({ ...base, clientId: '' })).toThrow(/clientId/);
    expect(() => provideSigilAuth({ ...base, redirectUri: 'auth/callback' })).toThrow(/redirectUri/);
    expect(() => provideSigilAuth({ ...base, storage: cookieSession() })).toThrow(/cookie mode/);
    expect(() => provideSigilAuth({ ...base, loginRoute: 'login' })).toThrow(/loginRoute/);
    expect(() => provideSigilAuth({ ...base, apiOrigins: ['https://api.example.com/api'] })).toThrow(/apiOrigins/);
  });

  it('AuthRedirectService needs the redirect provider, and says so', () => {
    const sameSite = server.client();
    TestBed.configureTestingModule({
      providers: [provideRouter(ROUTES), provideSameSite({ issuer: ISSUER, apiOrigins: [API], client: sameSite })],
    });
    expect(() => TestBed.inject(AuthRedirectService)).toThrow(/@sigil\/angular\/redirect/);
    sameSite.destroy();
  });
});
