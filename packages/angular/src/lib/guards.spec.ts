import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { SigilClient } from '@sigil/client';
import { ALICE, BOB, ISSUER, API, fakeAuthServer } from '../testing/fake-auth-server';
import { AuthService } from './auth.service';
import { authGuard, roleGuard } from './guards';
import { provideSigilAuth } from './provide';

@Component({ template: '' })
class Blank {}

describe('authGuard and roleGuard', () => {
  let client: SigilClient;
  let router: Router;
  let auth: AuthService;

  function setup(forbiddenRoute?: string) {
    client = fakeAuthServer().client();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'forbidden', component: Blank },
          { path: 'home', component: Blank },
          { path: 'lessons', component: Blank, canActivate: [authGuard] },
          { path: 'admin', component: Blank, canActivate: [roleGuard('admin')] },
        ]),
        provideSigilAuth({ issuer: ISSUER, apiOrigins: [API], client, ...(forbiddenRoute ? { forbiddenRoute } : {}) }),
      ],
    });
    router = TestBed.inject(Router);
    auth = TestBed.inject(AuthService);
  }

  afterEach(() => client.destroy());

  it('redirects a logged-out user to the login route with returnUrl', async () => {
    setup();
    await router.navigateByUrl('/lessons?sort=new');
    expect(router.url).toBe('/login?returnUrl=%2Flessons%3Fsort%3Dnew');
  });

  it('lets a logged-in user through', async () => {
    setup();
    await auth.login({ email: BOB.email, password: 'battery staple' });
    await router.navigateByUrl('/lessons');
    expect(router.url).toBe('/lessons');
  });

  it('roleGuard lets a user with the role through', async () => {
    setup();
    await auth.login({ email: ALICE.email, password: 'correct horse' });
    await router.navigateByUrl('/admin');
    expect(router.url).toBe('/admin');
  });

  it('roleGuard keeps a user without the role where they are, or sends them to forbiddenRoute', async () => {
    setup();
    await auth.login({ email: BOB.email, password: 'battery staple' });
    await router.navigateByUrl('/home');
    await expect(router.navigateByUrl('/admin')).resolves.toBe(false);
    expect(router.url).toBe('/home');
  });

  it('roleGuard sends a user without the role to forbiddenRoute when configured', async () => {
    setup('/forbidden');
    await auth.login({ email: BOB.email, password: 'battery staple' });
    await router.navigateByUrl('/admin');
    expect(router.url).toBe('/forbidden');
  });

  it('roleGuard sends a logged-out user to login with returnUrl', async () => {
    setup();
    await router.navigateByUrl('/admin');
    expect(router.url).toBe('/login?returnUrl=%2Fadmin');
  });

  it('roleGuard refuses to be set up without a role', () => {
    expect(() => roleGuard()).toThrow(TypeError);
  });
});
