import { isPlatformBrowser } from '@angular/common';
import { DestroyRef, InjectionToken, PLATFORM_ID, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { ɵresolveSigilAuthConfig, ɵSIGIL_AUTH_CONFIG, type SigilAuthConfig } from '@sigil/angular';
import {
  createSigilRedirectSession,
  invalidArgument,
  resolveRedirectOptions,
  type RedirectOptions,
  type ResolvedRedirectOptions,
  type SigilRedirectSession,
} from '@sigil/client/internal';
import type { SigilRedirectClient } from '@sigil/client/redirect';

/**
 * Options of `provideSigilAuth` of `@sigil/angular/redirect`: those of `@sigil/angular`'s (but
 * cookie mode, which is the same-site flow's), `flow: 'redirect'`, and the redirect flow's
 * (`clientId`, `redirectUri`, ...; see `@sigil/client/redirect`).
 *
 * @example
 * provideSigilAuth({
 *   flow: 'redirect',
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-app',
 *   redirectUri: 'https://app.example.com/auth/callback',
 *   apiOrigins: ['https://api.example.com'],
 *   storage: localSession(),
 * })
 */
export interface SigilRedirectAuthConfig extends Omit<SigilAuthConfig, 'client'>, RedirectOptions {
  /** Sign in on the auth server's page (OAuth 2.1 authorization code with PKCE, OpenID Connect). */
  flow: 'redirect';
  /**
   * A client you created with `createSigilRedirectClient` (to share it with non-Angular code). Its
   * options must match; the library will not destroy it.
   * @default a client created in the browser from the options above
   */
  client?: SigilRedirectClient;
}

/** The redirect flow's resolved options, for the callback guard. Internal to this entry point. */
export const SIGIL_REDIRECT_OPTIONS = new InjectionToken<ResolvedRedirectOptions>('SIGIL_REDIRECT_OPTIONS');

/**
 * Sets Sigil up for an app that signs in through the auth server's own page (the redirect flow),
 * instead of `provideSigilAuth` of `@sigil/angular`: the same `AuthService` (signals, `logout()`,
 * `refresh()`), `authInterceptor` and guards run on a session that comes from
 * `AuthRedirectService.loginWithRedirect()` and the callback route (`redirectCallbackGuard`).
 * Validates `config` at startup (a mistake throws `TypeError`); the client is created in the
 * browser only (none under SSR, as with `@sigil/angular`).
 */
export function provideSigilAuth(config: SigilRedirectAuthConfig): EnvironmentProviders {
  if (config?.flow !== 'redirect') invalidArgument('flow', "'redirect' (the same-site flow is provideSigilAuth of @sigil/angular)");
  const redirect = resolveRedirectOptions(config);
  // The options @sigil/angular's provideSigilAuth checks, by its own code (issuer, apiOrigins, routes...).
  const resolved = ɵresolveSigilAuthConfig({ ...config, client: undefined });
  const given = config.client;
  return makeEnvironmentProviders([
    { provide: SIGIL_REDIRECT_OPTIONS, useValue: redirect },
    {
      provide: ɵSIGIL_AUTH_CONFIG,
      useFactory: () => {
        let client: SigilRedirectSession | undefined = given;
        if (!client && isPlatformBrowser(inject(PLATFORM_ID))) {
          const created = createSigilRedirectSession(resolved, redirect);
          inject(DestroyRef).onDestroy(() => created.destroy());
          client = created;
        }
        return Object.freeze({ ...resolved, client });
      },
    },
  ]);
}
