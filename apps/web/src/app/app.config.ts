import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { provideClientHydration, withNoIncrementalHydration } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authInterceptor, cookieSession, localSession, provideSigilAuth, stepUpInterceptor } from '@sigil/angular';
import { routes } from './app.routes';
import { API_ORIGIN, AUTH_ISSUER, demoStorageMode } from './settings';

/**
 * The demo offers every mode, so it imports both factories; an app that uses one imports only that
 * one and ships none of the other's code. Memory is the default (no `storage`).
 */
const STORAGE = { memory: () => undefined, local: localSession, cookie: cookieSession };

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    // Keeps the server-rendered /login DOM (and anything typed into it) instead of re-creating it.
    // No incremental hydration: its event-replay bootstrap is an inline script, which the app's
    // Content-Security-Policy (script-src 'self') rightly refuses.
    provideClientHydration(withNoIncrementalHydration()),
    // stepUpInterceptor turns the API's 401 insufficient_user_authentication into a
    // StepUpRequiredError, which the lessons page answers with its "Confirm it's you" dialog.
    provideHttpClient(withFetch(), withInterceptors([stepUpInterceptor, authInterceptor])),
    provideSigilAuth({ issuer: AUTH_ISSUER, apiOrigins: [API_ORIGIN], storage: STORAGE[demoStorageMode()](), loginRoute: '/login' }),
  ],
};
