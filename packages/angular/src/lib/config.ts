import { InjectionToken } from '@angular/core';
import { invalidArgument, resolveCommonOptions, type SessionStrategy, type SigilClient, type StorageAdapter } from '@sigil/client';

/**
 * Options of {@link provideSigilAuth}. Only `issuer` and `apiOrigins` are required.
 *
 * @example
 * provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'] })
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
   * `StorageAdapter`. Factories rather than names, so the app ships the code of its mode only.
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

/** {@link SigilAuthConfig} after validation: every default applied once, frozen. */
export interface ResolvedSigilAuthConfig {
  readonly issuer: string;
  /** Origin and path prefix of the issuer, for recognising its endpoints. */
  readonly issuerUrl: URL;
  readonly apiOrigins: ReadonlySet<string>;
  /** undefined: memory. */
  readonly storage: SessionStrategy | StorageAdapter | undefined;
  readonly loginRoute: string;
  readonly forbiddenRoute: string | null;
  readonly refreshLeeway: number | undefined;
  readonly client: SigilClient | undefined;
}

/** The resolved configuration, provided by {@link provideSigilAuth}. */
export const SIGIL_AUTH_CONFIG = new InjectionToken<ResolvedSigilAuthConfig>('SIGIL_AUTH_CONFIG');

/**
 * Validates the config; a caller's mistake is a `TypeError` at startup, never per request. The
 * options shared with `createSigilClient` are checked by the client's own code, so both report a
 * mistake alike; only the routes are Angular's own.
 */
export function resolveSigilAuthConfig(config: SigilAuthConfig): ResolvedSigilAuthConfig {
  // Also checks `storage`, as the client does; its result has `issuer`, `apiOrigins`,
  // `refreshLeeway` and `storage` resolved.
  const common = resolveCommonOptions(config);
  const loginRoute = config.loginRoute ?? '/login';
  if (!isAppPath(loginRoute)) invalidArgument('loginRoute', APP_PATH);
  const forbiddenRoute = config.forbiddenRoute ?? null;
  if (forbiddenRoute !== null && !isAppPath(forbiddenRoute)) invalidArgument('forbiddenRoute', `${APP_PATH} or null`);
  // `common` is this call's own object: completed in place rather than copied.
  return Object.freeze(Object.assign(common, { issuerUrl: new URL(common.issuer), loginRoute, forbiddenRoute, client: config.client }));
}

const APP_PATH = "an app path like '/login'";

function isAppPath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/');
}
