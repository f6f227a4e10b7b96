import type { Routes } from '@angular/router';
import { authGuard } from '@sigil/angular';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'lessons' },
  { path: 'login', title: 'Sign in · Sigil demo', loadComponent: () => import('./login/login').then((m) => m.Login) },
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
