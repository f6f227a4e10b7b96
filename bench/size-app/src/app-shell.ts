// What both apps of the size benchmark share: any Angular app with a login and an API has a router
// with guarded routes and HttpClient with interceptors. without-sigil.ts and with-sigil.ts differ
// only in the guards, interceptors and providers they pass in.
import { Component, inject, type EnvironmentProviders, type Provider } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, RouterLink, RouterOutlet, type CanActivateFn } from '@angular/router';
import { HttpClient, provideHttpClient, withFetch, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';

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

export interface AppParts {
  signedIn: CanActivateFn[];
  admin: CanActivateFn[];
  interceptors: HttpInterceptorFn[];
  providers: Array<Provider | EnvironmentProviders>;
}

export function startApp(parts: AppParts): void {
  bootstrapApplication(App, {
    providers: [
      provideRouter([
        { path: 'lessons', component: Page, canActivate: parts.signedIn },
        { path: 'admin', component: Page, canActivate: parts.admin },
      ]),
      provideHttpClient(withFetch(), withInterceptors(parts.interceptors)),
      ...parts.providers,
    ],
  }).catch((error: unknown) => console.error(error));
}
