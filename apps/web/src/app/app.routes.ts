import type { Routes } from '@angular/router';
import { authGuard } from '@sigil/angular';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'lessons' },
  { path: 'login', title: 'Sign in · Sigil demo', loadComponent: () => import('./login/login').then((m) => m.Login) },
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
  { path: '**', redirectTo: 'lessons' },
];
