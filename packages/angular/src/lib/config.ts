import { InjectionToken } from '@angular/core';
import type { SigilClient } from '@sigil/client';

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
   * Where the session lives: `'memory'` (lost on reload), `'local'` (localStorage: survives reloads,
   * readable by any XSS) or `'cookie'` (refresh token in the auth server's HttpOnly cookie, access
   * token in memory: the recommended mode for browsers).
   * @default 'memory'
   */
  storage?: 'memory' | 'local' | 'cookie';
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
  readonly storage: 'memory' | 'local' | 'cookie';
  readonly loginRoute: string;
  readonly forbiddenRoute: string | null;
  readonly refreshLeeway: number | undefined;
  readonly client: SigilClient | undefined;
}

/** The resolved configuration, provided by {@link provideSigilAuth}. */
export const SIGIL_AUTH_CONFIG = new InjectionToken<ResolvedSigilAuthConfig>('SIGIL_AUTH_CONFIG');

/** Validates the config; a caller's mistake is a `TypeError` at startup, never per request. */
export function resolveSigilAuthConfig(config: SigilAuthConfig): ResolvedSigilAuthConfig {
  if (config === null || typeof config !== 'object') throw new TypeError('provideSigilAuth: config object required');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(config.issuer);
  } catch {
    throw new TypeError('provideSigilAuth: issuer must be an absolute http(s) URL');
  }
  if (issuerUrl.protocol !== 'http:' && issuerUrl.protocol !== 'https:') {
    throw new TypeError('provideSigilAuth: issuer must be an absolute http(s) URL');
  }
  if (!Array.isArray(config.apiOrigins)) throw new TypeError('provideSigilAuth: apiOrigins must be an array of origins');
  const apiOrigins = new Set(config.apiOrigins.map(parseOrigin));

  const storage = config.storage ?? 'memory';
  if (storage !== 'memory' && storage !== 'local' && storage !== 'cookie') {
    throw new TypeError("provideSigilAuth: storage must be 'memory', 'local' or 'cookie'");
  }
  const loginRoute = config.loginRoute ?? '/login';
  if (typeof loginRoute !== 'string' || !loginRoute.startsWith('/')) {
    throw new TypeError("provideSigilAuth: loginRoute must be an absolute app path such as '/login'");
  }
  const forbiddenRoute = config.forbiddenRoute ?? null;
  if (forbiddenRoute !== null && (typeof forbiddenRoute !== 'string' || !forbiddenRoute.startsWith('/'))) {
    throw new TypeError('provideSigilAuth: forbiddenRoute must be an absolute app path or null');
  }
  const refreshLeeway = config.refreshLeeway;
  if (refreshLeeway !== undefined && (typeof refreshLeeway !== 'number' || !(refreshLeeway >= 0))) {
    throw new TypeError('provideSigilAuth: refreshLeeway must be a number of seconds >= 0');
  }
  return Object.freeze({
    issuer: issuerUrl.href.replace(/\/+$/, ''),
    issuerUrl,
    apiOrigins,
    storage,
    loginRoute,
    forbiddenRoute,
    refreshLeeway,
    client: config.client,
  });
}

function parseOrigin(value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    url = undefined;
  }
  // Only a bare origin: a path would suggest prefix matching, which is deliberately not done.
  if (typeof value !== 'string' || url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new TypeError(`provideSigilAuth: apiOrigins entries must be origins like https://api.example.com (got ${String(value)})`);
  }
  return url.origin;
}
