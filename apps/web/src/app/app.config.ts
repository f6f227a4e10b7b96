import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { provideRouter } from '@angular/router';
import { authInterceptor, provideSigilAuth } from '@sigil/angular';
import { routes } from './app.routes';
import { API_ORIGIN, AUTH_ISSUER, demoStorageMode } from './settings';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    provideSigilAuth({ issuer: AUTH_ISSUER, apiOrigins: [API_ORIGIN], storage: demoStorageMode(), loginRoute: '/login' }),
  ],
};
