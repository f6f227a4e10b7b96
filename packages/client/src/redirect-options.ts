import { attempt } from './attempt.ts';
import { invalidArgument } from './invalid-argument.ts';
import type { StorageAdapter } from './strategy.ts';

/** The redirect flow's own options (besides `issuer`, `apiOrigins`, `storage`... of every client). */
export interface RedirectOptions {
  /** The OAuth client id registered at the auth server (`sigil clients create`), e.g. `sigil-demo`. */
  clientId: string;
  /**
   * Where the auth server sends the browser back with the code: a page of this app that calls
   * `handleRedirectCallback()`, registered for the client exactly as written here.
   */
  redirectUri: string;
  /**
   * The scopes to ask for. `openid` is required (the ID token names the user and its session);
   * `offline_access` brings the refresh token that keeps the session alive.
   * @default 'openid profile email offline_access'
   */
  scope?: string;
  /** RFC 8707: the API (`aud`) the access token is for, one of the client's resources. @default the server's default audience */
  resource?: string;
  /**
   * Where the auth server sends the browser after `logout()` ends the session there (registered
   * for the client). `null`: `logout()` revokes the session without leaving the page.
   * @default the root of `redirectUri`'s origin, e.g. `https://app.example.com/`
   */
  postLogoutRedirectUri?: string | null;
  /**
   * Where the pending sign-in (`state`, the PKCE verifier, the `nonce`) waits for the callback.
   * @default the tab's sessionStorage
   */
  transactionStorage?: StorageAdapter;
  /** How the page goes to the auth server (tests). @default `(url) => location.assign(url)` */
  navigate?: (url: string) => void;
}

/** {@link RedirectOptions} after validation, every default applied. */
export interface ResolvedRedirectOptions {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly resource: string | undefined;
  readonly postLogoutRedirectUri: string | null;
  readonly transactionStorage: StorageAdapter | undefined;
  readonly navigate: (url: string) => void;
}

const DEFAULT_SCOPE = 'openid profile email offline_access';

/**
 * Validates the redirect flow's options: a caller's mistake is a `TypeError` when the client (or
 * `provideSigilAuth` of `@sigil/angular/redirect`) is set up. `storage` must not be cookie mode:
 * its refresh cookie belongs to the Sigil endpoints, not to this flow.
 *
 * @example
 * resolveRedirectOptions({ clientId: 'sigil-demo', redirectUri: 'http://127.0.0.1:4200/auth/callback' });
 */
export function resolveRedirectOptions(options: RedirectOptions & { storage?: unknown }): ResolvedRedirectOptions {
  // No options at all fails here too, as a missing clientId.
  const { clientId, redirectUri: uri, scope = DEFAULT_SCOPE, resource, navigate, transactionStorage, storage } = options ?? {};
  if (typeof clientId !== 'string' || clientId === '') invalidArgument('clientId', 'the OAuth client id registered at the auth server');
  const redirectUri = uriOption('redirectUri', uri);
  if (typeof scope !== 'string' || !scope.split(' ').includes('openid'))
    invalidArgument('scope', "space-separated scopes including 'openid'");
  if (resource !== undefined && (typeof resource !== 'string' || resource === '')) invalidArgument('resource', 'a non-empty string');
  if (navigate !== undefined && typeof navigate !== 'function') invalidArgument('navigate', 'a function');
  if (transactionStorage !== undefined && typeof transactionStorage?.getItem !== 'function') {
    invalidArgument('transactionStorage', 'a StorageAdapter such as sessionStorage');
  }
  if (storage === 'cookie' || (storage as { kind?: unknown } | null)?.kind === 'cookie') {
    invalidArgument('storage', "'memory', localSession() or a StorageAdapter in the redirect flow (cookie mode is the same-site flow's)");
  }
  const postLogout = options.postLogoutRedirectUri;
  return {
    clientId,
    redirectUri,
    scope,
    resource,
    postLogoutRedirectUri:
      postLogout === null
        ? null
        : postLogout === undefined
          ? `${new URL(redirectUri).origin}/`
          : uriOption('postLogoutRedirectUri', postLogout),
    transactionStorage,
    navigate: navigate ?? ((url) => (globalThis as { location?: Location }).location?.assign(url)),
  };
}

/** An absolute http(s) URL without a fragment (RFC 6749 3.1.2), as written (the server compares exactly). */
function uriOption(name: string, value: unknown): string {
  const url = typeof value === 'string' ? attempt(() => new URL(value)) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || (value as string).includes('#')) {
    invalidArgument(name, 'an absolute http(s) URL without a fragment');
  }
  return value as string;
}
