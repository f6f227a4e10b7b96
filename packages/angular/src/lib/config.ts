import { InjectionToken } from '@angular/core';
import type { SessionStrategy, SigilClient, StorageAdapter } from '@sigil/client';
import { invalidArgument, resolveCommonOptions, type CommonOptions, type SigilSession } from '@sigil/client/internal';

/**
 * Options of {@link provideSigilAuth}. Only `issuer` and `apiOrigins` are required.
 *
 * @example
 * provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'], storage: cookieSession() })
 */
export interface SigilAuthConfig {
  /** Base URL of the Sigil auth server, e.g. `https://auth.example.com`. */
  issuer: string;
  /**
   * Exact origins whose `HttpClient` requests get `Authorization: Bearer`. Nothing else ever sees
   * the token, the auth server included unless you list it.
   */
  apiOrigins: readonly string[];
  /**
   * Where the session lives: `'memory'` (lost on reload), `localSession()` (localStorage: survives
   * reloads, readable by any XSS), `cookieSession()` (refresh token in the auth server's HttpOnly
   * cookie, access token in memory: the recommended mode for browsers), or your own
   * `StorageAdapter`. Factories rather than the client's names `'local'` and `'cookie'`: the app
   * then includes the code of its own mode only (docs/angular.md, "Storage modes").
   * @default 'memory'
   */
  storage?: 'memory' | SessionStrategy | StorageAdapter;
  /**
   * Route of the app's login page; guards and the interceptor send the user there with `returnUrl`.
   * @default '/login'
   */
  loginRoute?: string;
  /**
   * Where `roleGuard` sends a signed-in user who lacks the role. `null` cancels the navigation.
   * @default null
   */
  forbiddenRoute?: string | null;
  /**
   * Seconds before expiry at which the access token is renewed in the background.
   * @default 60 (the client's default)
   */
  refreshLeeway?: number;
  /**
   * A client you created yourself with `createSigilClient` (to share it with non-Angular code).
   * `issuer`, `apiOrigins` and `storage` must then match it; the library will not destroy it.
   * @default a client created in the browser from the options above
   */
  client?: SigilClient;
}

/** {@link SigilAuthConfig} after validation: every default applied once. Internal to this library. */
export interface ResolvedSigilAuthConfig extends CommonOptions {
  readonly loginRoute: string;
  readonly forbiddenRoute: string | null;
  /** The app's client, or (`@sigil/angular/redirect`) the redirect flow's, created in the browser. */
  readonly client: SigilSession | undefined;
}

/** The resolved configuration, provided by {@link provideSigilAuth}. Internal to this library. */
export const SIGIL_AUTH_CONFIG = new InjectionToken<ResolvedSigilAuthConfig>('SIGIL_AUTH_CONFIG');

/**
 * Validates the config; a caller's mistake is a `TypeError` at startup, never per request. The
 * options shared with `createSigilClient` are checked by the client's own code, so both report a
 * mistake alike; only the routes are Angular's own.
 */
export function resolveSigilAuthConfig(config: SigilAuthConfig): ResolvedSigilAuthConfig {
  const named: unknown = config?.storage;
  if (named === 'local' || named === 'cookie')
    invalidArgument('storage', `${named}Session() rather than the name '${named}' in @sigil/angular`);
  // Checks `issuer`, `apiOrigins`, `refreshLeeway` and `storage`, as the client does.
  const common = resolveCommonOptions(config);
  const loginRoute = config.loginRoute ?? '/login';
  if (!isAppPath(loginRoute)) invalidArgument('loginRoute', APP_PATH);
  const forbiddenRoute = config.forbiddenRoute ?? null;
  if (forbiddenRoute !== null && !isAppPath(forbiddenRoute)) invalidArgument('forbiddenRoute', `${APP_PATH} or null`);
  return Object.freeze({ ...common, loginRoute, forbiddenRoute, client: config.client });
}

const APP_PATH = "an app path like '/login'";

function isAppPath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/');
}
