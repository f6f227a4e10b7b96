import { inject } from '@angular/core';
import { Router, type CanActivateFn, type Routes } from '@angular/router';
import { authGuard } from '@sigil/angular';
import { redirectCallbackGuard } from '@sigil/angular/redirect';
import { demoFlow } from './settings';

/**
 * The auth server's answer to a redirect sign-in: `redirectCallbackGuard` finishes it and goes on.
 * A tab in the same-site flow has no sign-in waiting for an answer: to its own sign-in page.
 */
const callbackGuard: CanActivateFn = (route, state) =>
  demoFlow() === 'redirect' ? redirectCallbackGuard(route, state) : inject(Router).parseUrl('/login');

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'lessons' },
  { path: 'login', title: 'Sign in · Sigil demo', loadComponent: () => import('./login/login').then((m) => m.Login) },
  // The redirect flow's sign-in page (a button to the auth server's page) and its way back. Both
  // flows list them, so a URL means the same page on the server and in every tab.
  { path: 'signin', title: 'Sign in · Sigil demo', loadComponent: () => import('./signin/signin').then((m) => m.SignIn) },
  { path: 'auth/callback', title: 'Signing in · Sigil demo', canActivate: [callbackGuard], children: [] },
  { path: 'signup', title: 'Create account · Sigil demo', loadComponent: () => import('./signup/signup').then((m) => m.Signup) },
  {
    path: 'password/forgot',
    title: 'Forgot password · Sigil demo',
    loadComponent: () => import('./password/forgot-password').then((m) => m.ForgotPassword),
  },
  {
    path: 'password/reset',
    title: 'Choose a new password · Sigil demo',
    loadComponent: () => import('./password/reset-password').then((m) => m.ResetPassword),
  },
  {
    path: 'email/verify',
    title: 'Verify email · Sigil demo',
    loadComponent: () => import('./email/verify-email').then((m) => m.VerifyEmail),
  },
  {
    path: 'lessons',
    title: 'Lessons · Sigil demo',
    canActivate: [authGuard],
    loadComponent: () => import('./lessons/lessons').then((m) => m.Lessons),
  },
  {
    path: 'profile',
    title: 'Profile · Sigil demo',
    canActivate: [authGuard],
    loadComponent: () => import('./profile/profile').then((m) => m.Profile),
  },
  {
    path: 'account',
    title: 'Account · Sigil demo',
    canActivate: [authGuard],
    loadComponent: () => import('./account/account').then((m) => m.Account),
  },
  {
    path: 'security',
    title: 'Security · Sigil demo',
    canActivate: [authGuard],
    loadComponent: () => import('./security/security').then((m) => m.Security),
  },
  { path: '**', redirectTo: 'lessons' },
];
