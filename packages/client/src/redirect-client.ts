import { createAuthFetch } from './auth-fetch.ts';
import { createSession, type SigilClient, type SigilSession } from './client.ts';
import { sessionStarterOf } from './client-requests.ts';
import { discovery } from './discovery.ts';
import { idTokenSlot } from './id-token-slot.ts';
import { invalidArgument } from './invalid-argument.ts';
import { createOAuthApi } from './oauth-api.ts';
import { localSession } from './local-session.ts';
import {
  resolveOptions,
  sessionOptions,
  type CommonOptions,
  type ResolvedOptions,
  type SessionOptions,
  type SigilClientOptions,
} from './options.ts';
import { browserSessionStorage, pendingLoginStore } from './pending-login.ts';
import { codeChallenge, randomToken } from './pkce.ts';
import { callbackCode } from './redirect-callback.ts';
import { resolveRedirectOptions, type RedirectOptions, type ResolvedRedirectOptions } from './redirect-options.ts';
import type { SigilUser } from './session.ts';

/** Options of `createSigilRedirectClient`: the client's (no cookie mode) and the redirect flow's. */
export interface SigilRedirectClientOptions extends Omit<SigilClientOptions, 'storage' | 'restore'>, RedirectOptions {
  /**
   * Where the session lives: `'memory'` (default: a reload or a new tab signs in again),
   * `localSession()` or `'local'` (survives reloads and is shared by the app's tabs, readable by
   * any script in the page), or your own `StorageAdapter`. Not cookie mode.
   * @default 'memory'
   */
  storage?: SigilClientOptions['storage'];
}

/** For `loginWithRedirect`. */
export interface RedirectLoginOptions {
  /** Where the app wants to be after the sign-in: handed back by `handleRedirectCallback`. Kept in this tab only. */
  returnTo?: string;
  /** OpenID Connect `prompt`: `login` (always ask, the auth server's default anyway), `consent`. */
  prompt?: 'login' | 'consent';
  /** The address to fill in on the auth server's sign-in page (OpenID Connect `login_hint`). */
  loginHint?: string;
}

/** What `handleRedirectCallback` resolves to. */
export interface RedirectCallbackResult {
  /** The signed-in user. */
  readonly user: SigilUser;
  /** `returnTo` of the `loginWithRedirect` call, as given (check it before navigating: `safeReturnUrl` of @sigil/angular). */
  readonly returnTo: string | undefined;
}

/**
 * The redirect flow's part of a client: the sign-in on the auth server's own page. Every other
 * member is the client's, with the same behaviour (the authenticated `fetch`, one refresh across
 * tabs, sync, events); `login`, `verifyMfa` and `signup` reject with a `TypeError` (the auth
 * server's page does those), and `logout` also ends the session at the auth server's
 * end-session endpoint (the page leaves for it, then comes back to `postLogoutRedirectUri`).
 */
export interface RedirectFlow {
  /**
   * Sends the browser to the auth server's sign-in page (`/oauth/authorize`, PKCE S256, with a
   * fresh `state` and `nonce` kept in this tab's sessionStorage). Resolves once the page is
   * leaving. Rejects with `network_error` or `invalid_response` when the auth server's OpenID
   * configuration cannot be read.
   */
  loginWithRedirect(options?: RedirectLoginOptions): Promise<void>;
  /**
   * On the `redirectUri` page: checks the auth server's answer (`state`, `iss`), exchanges its code
   * for the session (and checks the ID token's `iss`, `aud`, `nonce`), which starts here and in
   * synced tabs with a `login` event. `url` defaults to the page's. Rejects with the answer's OAuth
   * code (`access_denied`...), `state_mismatch`, `issuer_mismatch`, `invalid_grant` (the code
   * expired or was used), `invalid_id_token`, `network_error`...
   */
  handleRedirectCallback(url?: string): Promise<RedirectCallbackResult>;
}

/** The client `createSigilRedirectClient` returns. Plain object; every method may be passed around unbound. */
export type SigilRedirectClient = SigilClient & RedirectFlow;

/** A redirect client without `fetch`, for @sigil/angular (its interceptor does that job). */
export type SigilRedirectSession = SigilSession & RedirectFlow;

/**
 * Creates a client that signs in through the auth server's own page: OAuth 2.1 authorization
 * code with PKCE, OpenID Connect. For apps on another site than the auth server, where the
 * same-site flow's refresh cookie (SameSite=Strict, on the auth server) cannot reach them.
 *
 * @example
 * const auth = createSigilRedirectClient({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-app',
 *   redirectUri: 'https://app.example.com/auth/callback',
 *   apiOrigins: ['https://api.example.com'],
 *   storage: localSession(),
 * });
 * // The sign-in button:
 * await auth.loginWithRedirect({ returnTo: '/lessons' });
 * // The /auth/callback page:
 * const { returnTo } = await auth.handleRedirectCallback();
 */
export function createSigilRedirectClient(options: SigilRedirectClientOptions): SigilRedirectClient {
  const redirect = resolveRedirectOptions(options);
  const opts = resolveOptions(withLocalByName(options));
  const client = createRedirectSession(opts, redirect);
  // Added to the object itself, as createSigilClient does: a copy would freeze its getters.
  return Object.assign(client, { fetch: createAuthFetch(opts, client) });
}

/**
 * `createSigilRedirectClient` without `fetch`, for @sigil/angular, from options already checked by
 * `resolveCommonOptions` and `resolveRedirectOptions` when the app started.
 */
export function createSigilRedirectSession(common: CommonOptions, redirect: ResolvedRedirectOptions): SigilRedirectSession {
  return createRedirectSession(sessionOptions(common), redirect);
}

/** The name `'local'` as its strategy (`'cookie'` was refused by `resolveRedirectOptions`). */
function withLocalByName(options: SigilRedirectClientOptions): SessionOptions {
  return { ...options, storage: options.storage === 'local' ? localSession() : (options.storage as SessionOptions['storage']) };
}

function createRedirectSession(opts: ResolvedOptions, redirect: ResolvedRedirectOptions): SigilRedirectSession {
  const { issuer } = opts;
  const { clientId } = redirect;
  const discover = discovery(issuer, opts.fetch, opts.now);
  const idTokens = idTokenSlot(sharedStore(opts), `sigil:id_token:${issuer}`);
  const pendingLogins = () =>
    pendingLoginStore(redirect.transactionStorage ?? browserSessionStorage(), `sigil:oauth:${issuer}:${clientId}`);
  const api = createOAuthApi(opts, clientId, discover, idTokens);
  // The client's own machinery, over the OAuth token requests.
  const session = createSession(opts, api);
  const endLocally = session.logout;

  const flow: RedirectFlow & Pick<SigilSession, 'logout'> = {
    async loginWithRedirect({ returnTo, prompt, loginHint } = {}) {
      const { authorizationEndpoint } = await discover();
      const pending = {
        state: randomToken(),
        nonce: randomToken(),
        codeVerifier: randomToken(),
        redirectUri: redirect.redirectUri,
        returnTo,
      };
      const url = new URL(authorizationEndpoint);
      const params: Record<string, string | undefined> = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: pending.redirectUri,
        scope: redirect.scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await codeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        resource: redirect.resource,
        prompt,
        login_hint: loginHint,
      };
      for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
      pendingLogins().save(pending);
      redirect.navigate(url.href);
    },

    async handleRedirectCallback(url = (globalThis as { location?: Location }).location?.href) {
      if (typeof url !== 'string') invalidArgument('handleRedirectCallback url', 'the callback URL (there is no page location here)');
      const found = await discover();
      // Taken before the answer is checked, and whatever the check says: an answer is tried once,
      // and a reload of the callback page cannot replay its code. (After discovery, so a sign-in
      // whose callback found the auth server unreachable can be finished by a reload.)
      const pending = pendingLogins().take();
      const code = callbackCode(new URL(url), pending, found);
      const next = await api.exchangeCode(code, pending!);
      return { user: sessionStarterOf(session)(next), returnTo: pending!.returnTo };
    },

    async logout() {
      const signedIn = session.isLoggedIn;
      const idToken = idTokens.read();
      // Here and in synced tabs at once, then the refresh token revoked (best effort): the session
      // is over at the auth server whatever the end-session request does.
      await endLocally();
      idTokens.clear();
      if (!signedIn || redirect.postLogoutRedirectUri === null) return;
      const endpoint = (await discover().catch(() => undefined))?.endSessionEndpoint;
      if (!endpoint) return;
      // OpenID Connect RP-Initiated Logout: the hint names the session, `client_id` lets the
      // server check `post_logout_redirect_uri` without one. The `state` comes back with the
      // browser; nothing waits for it, since the app only shows itself signed out.
      const end = new URL(endpoint);
      const params: Record<string, string | undefined> = {
        id_token_hint: idToken,
        post_logout_redirect_uri: redirect.postLogoutRedirectUri,
        client_id: clientId,
        state: randomToken(),
      };
      for (const [name, value] of Object.entries(params)) if (value !== undefined) end.searchParams.set(name, value);
      redirect.navigate(end.href);
    },
  };
  // Onto the session object itself: its getters (`user`...) and its binding (client-requests.ts,
  // which the account entry and the callback above use) stay the object's.
  return Object.assign(session, flow);
}

/**
 * The store the session itself lives in (the app's adapter, or localStorage for `localSession()`),
 * where the ID token is kept beside it; undefined for memory.
 */
function sharedStore(opts: ResolvedOptions) {
  if (opts.adapter) return opts.adapter;
  const local = opts.local?.open('', () => {});
  local?.close();
  return local?.adapter;
}
