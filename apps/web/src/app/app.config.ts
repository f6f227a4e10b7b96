import { type ApplicationConfig, type EnvironmentProviders, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { provideClientHydration, withNoIncrementalHydration } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authInterceptor, cookieSession, localSession, provideSigilAuth, stepUpInterceptor } from '@sigil/angular';
import { provideSigilAuth as provideSigilRedirectAuth } from '@sigil/angular/redirect';
import { routes } from './app.routes';
import { API_ORIGIN, AUTH_ISSUER, DEMO_CLIENT_ID, demoFlow, demoLoginRoute, demoStorageMode } from './settings';

/**
 * The demo offers every mode, so it imports both factories; an app that uses one imports only that
 * one and ships none of the other's code. Memory is the default (no `storage`).
 */
const STORAGE = { memory: () => undefined, local: localSession, cookie: cookieSession };

/**
 * Sigil in this tab's flow (settings.ts). Same-site: the app's own form, in the storage mode the
 * tab chose. Redirect: the auth server's page, the session in localStorage (so a reload and the
 * app's other tabs keep it; `?storage=memory` for this tab only), back on this origin's
 * /auth/callback, which the client `sigil-demo` registers for both http://localhost:4200 and
 * http://127.0.0.1:4200.
 */
function sigil(): EnvironmentProviders {
  const loginRoute = demoLoginRoute();
  if (demoFlow() === 'same-site') {
    return provideSigilAuth({ issuer: AUTH_ISSUER, apiOrigins: [API_ORIGIN], storage: STORAGE[demoStorageMode()](), loginRoute });
  }
  return provideSigilRedirectAuth({
    flow: 'redirect',
    issuer: AUTH_ISSUER,
    clientId: DEMO_CLIENT_ID,
    redirectUri: `${window.location.origin}/auth/callback`,
    apiOrigins: [API_ORIGIN],
    storage: demoStorageMode() === 'memory' ? undefined : localSession(),
    loginRoute,
  });
}

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
    sigil(),
  ],
};
