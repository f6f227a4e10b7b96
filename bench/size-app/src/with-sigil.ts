// The same app as without-sigil.ts with Sigil wired in as docs/angular.md shows (cookie mode, the
// recommended one; the guards bring AuthService in): the size benchmark's difference between the
// two builds is what Sigil adds. The app's own use of AuthService (a login form, the user's name)
// is the app's code, not the library's, and is left out.
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, RouterLink, RouterOutlet } from '@angular/router';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { authGuard, authInterceptor, cookieSession, provideSigilAuth, roleGuard } from '@sigil/angular';

@Component({ selector: 'app-page', template: '<p>page</p>' })
class Page {}

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink],
  template: '<a routerLink="/lessons">Lessons</a> <a routerLink="/admin">Admin</a><router-outlet />',
})
class App {
  readonly lessons = inject(HttpClient).get<unknown[]>('https://api.example.com/api/lessons');
}

bootstrapApplication(App, {
  providers: [
    provideRouter([
      { path: 'lessons', component: Page, canActivate: [authGuard] },
      { path: 'admin', component: Page, canActivate: [roleGuard('admin')] },
    ]),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'], storage: cookieSession() }),
  ],
}).catch((error: unknown) => console.error(error));
