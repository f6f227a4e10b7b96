import { inject } from '@angular/core';
import { Router, type CanActivateFn, type UrlTree } from '@angular/router';
import { invalidArgument } from '@sigil/client/internal';
import { AuthService } from './auth.service';
import { SIGIL_AUTH_CONFIG } from './config';

/**
 * Lets signed-in users through; sends everyone else to the login route with `returnUrl` set to the
 * page they asked for. Waits for `AuthService.ready` first (cookie mode restores the session then).
 * Under SSR no session is known, so it redirects: render protected routes with `RenderMode.Client`.
 *
 * @example
 * { path: 'lessons', component: Lessons, canActivate: [authGuard] }
 */
export const authGuard: CanActivateFn = (_route, state) => guard(state.url, () => true);

/**
 * Like {@link authGuard}, and the user must also have one of `roles` (the token's `roles` claim).
 * A signed-in user without it goes to `forbiddenRoute`, or stays where they are when that is null.
 * The UI check is for convenience only: the API must enforce the role itself.
 *
 * @example
 * { path: 'admin', component: Admin, canActivate: [roleGuard('admin')] }
 */
export function roleGuard(...roles: string[]): CanActivateFn {
  if (roles.length === 0 || roles.some((role) => typeof role !== 'string' || role === '')) {
    invalidArgument('roleGuard roles', 'one or more non-empty strings');
  }
  return (_route, state) => guard(state.url, (auth) => roles.some((role) => auth.hasRole(role)));
}

/** Signed out: to the login route with `returnUrl`. Signed in but not `allowed`: to `forbiddenRoute`. */
async function guard(url: string, allowed: (auth: AuthService) => boolean): Promise<boolean | UrlTree> {
  // Injected before the first await, while the injection context lasts.
  const auth = inject(AuthService);
  const router = inject(Router);
  const config = inject(SIGIL_AUTH_CONFIG);
  await auth.ready;
  if (!auth.isLoggedIn()) return router.createUrlTree([config.loginRoute], { queryParams: { returnUrl: url } });
  if (allowed(auth)) return true;
  return config.forbiddenRoute === null ? false : router.parseUrl(config.forbiddenRoute);
}
