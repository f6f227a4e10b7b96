// The baseline app of the size benchmark (bench/angular-size.ts): what any Angular app with a
// login and an API has anyway (router with guarded routes, HttpClient with interceptors), no Sigil.
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, RouterLink, RouterOutlet } from '@angular/router';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';

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
      { path: 'lessons', component: Page, canActivate: [] },
      { path: 'admin', component: Page, canActivate: [] },
    ]),
    provideHttpClient(withFetch(), withInterceptors([])),
  ],
}).catch((error: unknown) => console.error(error));
