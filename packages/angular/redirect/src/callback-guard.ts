import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { AuthService, SigilClientError, safeReturnUrl, ɵSIGIL_AUTH_CONFIG } from '@sigil/angular';
import { AuthRedirectService } from './auth-redirect.service';
import { SIGIL_REDIRECT_OPTIONS } from './provide';

/**
 * The callback route's guard: finishes the sign-in the auth server answered (the route's query:
 * `code`, `state`, `iss`, or `error`) and navigates on, to the `returnTo` of `loginWithRedirect`
 * (when it is a path inside the app) or `/`. A refused answer goes to `loginRoute` with
 * `?error=<code>` (`access_denied`, `state_mismatch`...) for the page to explain; a callback page
 * reloaded after its sign-in (its answer is used up) goes on to `/` while the user is signed in.
 * The route needs no component of its own.
 *
 * @example
 * { path: 'auth/callback', canActivate: [redirectCallbackGuard], children: [] }
 */
export const redirectCallbackGuard: CanActivateFn = async (route) => {
  // Injected before the first await, while the injection context lasts.
  const redirect = inject(AuthRedirectService);
  const auth = inject(AuthService);
  const router = inject(Router);
  const { loginRoute } = inject(ɵSIGIL_AUTH_CONFIG);
  // The answer as the auth server sent it: the route's query on the redirect URI (only the query is read).
  const url = new URL(inject(SIGIL_REDIRECT_OPTIONS).redirectUri);
  for (const [name, value] of Object.entries(route.queryParams)) if (typeof value === 'string') url.searchParams.set(name, value);
  try {
    const { returnTo } = await redirect.handleRedirectCallback(url.href);
    return router.parseUrl(safeReturnUrl(returnTo, '/'));
  } catch (error) {
    if (!(error instanceof SigilClientError)) throw error;
    if (error.code === 'state_mismatch' && auth.isLoggedIn()) return router.parseUrl('/');
    return router.createUrlTree([loginRoute], { queryParams: { error: error.code } });
  }
};
