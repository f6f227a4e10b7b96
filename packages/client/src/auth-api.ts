import { errorFromResponse, SigilClientError, unexpectedAnswer } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import { sessionFromTokenResponse, type Session } from './session.ts';
import type { SessionStrategy } from './storage.ts';

/** The auth server's token endpoints, speaking DESIGN.md's HTTP API. One concern: the wire. */
export interface AuthApi {
  /** Login (`{email, password}`) or signup (`{email, password, name}`): POSTs `body` to `/auth/<action>`. */
  signIn(action: 'login' | 'signup', body: object): Promise<Session>;
  /** `refreshToken` is undefined in cookie mode: the browser sends the HttpOnly cookie. */
  refresh(refreshToken: string | undefined): Promise<Session>;
  logout(refreshToken: string | undefined): Promise<void>;
  /**
   * Cookie mode, at startup: restores the session with `refresh` unless the server says this browser
   * holds no refresh cookie (HttpOnly, so the page cannot tell). Never rejects. Undefined otherwise.
   */
  restore: ((refresh: () => Promise<unknown>) => Promise<void>) | undefined;
}

/** A hung auth server must not hold the cross-tab refresh lock forever. */
const REQUEST_TIMEOUT_MS = 15_000;

const JSON_TYPE = 'application/json';

const noop = () => {};

/** What the cookie mode's requests are built from: the auth API's own helpers. */
type RequestFn = (path: string, init: RequestInit) => Promise<Response>;
type PostFn = (path: string, body: object, csrf?: string) => Promise<Response>;
type JsonFn = (pending: Promise<Response>) => Promise<JsonObject | undefined>;
type JsonObject = Record<string, unknown>;

/** @internal cookie mode's part of the auth API */
export interface CookieTransport {
  /** A cookie-authenticated POST (refresh, logout) with its CSRF proof. */
  post(path: string): Promise<Response>;
  restore: NonNullable<AuthApi['restore']>;
}

/** @internal */
export type CookieTransportFactory = (request: RequestFn, post: PostFn, json: JsonFn) => CookieTransport;

/**
 * `storage: cookieSession()` (the `'cookie'` strategy, recommended in browsers): the refresh token
 * lives in the auth server's HttpOnly cookie, which no script can read, and the access token in
 * memory. A reload restores the session through the cookie (see the `restore` option).
 *
 * @example
 * createSigilClient({ issuer, apiOrigins, storage: cookieSession() });
 */
export function cookieSession(): SessionStrategy {
  return { cookie: cookieTransport };
}

function cookieTransport(request: RequestFn, post: PostFn, json: JsonFn): CookieTransport {
  let csrfToken: string | undefined;

  /** GET /auth/csrf: remembers the CSRF token and returns whether a refresh cookie was sent. */
  async function fetchCsrf(): Promise<boolean | undefined> {
    const body = await json(request('/auth/csrf', { headers: { Accept: JSON_TYPE } }));
    const token: unknown = body?.csrf_token;
    if (typeof token !== 'string' || token === '') throw unexpectedAnswer();
    csrfToken = token;
    return typeof body?.session === 'boolean' ? body.session : undefined;
  }

  return {
    /** A stale CSRF token (cookie expired or rotated) gets one retry. */
    async post(path) {
      if (!csrfToken) await fetchCsrf();
      const response = await post(path, {}, csrfToken);
      if (response.status !== 403) return response;
      csrfToken = undefined;
      await fetchCsrf();
      return post(path, {}, csrfToken);
    },
    // No refresh cookie (`session: false`): signed out, without a refresh that could only fail
    // (and show a 401). The server not saying, or not answering, still tries the refresh.
    restore: (refresh) =>
      fetchCsrf()
        .catch(noop)
        .then((hasCookie) => (hasCookie === false ? undefined : refresh()))
        .then(noop, noop),
  };
}

export function createAuthApi({ fetch, issuer, now, cookie: cookieFactory }: ResolvedOptions): AuthApi {
  async function request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(issuer + path, {
        ...init,
        // Cookie mode needs the browser to send and store the auth server's cookies cross-origin.
        credentials: cookieFactory ? 'include' : 'same-origin',
        cache: 'no-store',
        signal: AbortSignal.timeout?.(REQUEST_TIMEOUT_MS),
      });
    } catch (cause) {
      throw new SigilClientError('network_error', `Cannot reach ${issuer}`, { cause });
    }
  }

  /** POSTs `body` as JSON; `csrf` is the double-submit token for cookie-authenticated endpoints. */
  const post: PostFn = (path, body, csrf) =>
    request(path, {
      method: 'POST',
      headers: {
        Accept: JSON_TYPE,
        'Content-Type': JSON_TYPE,
        ...(cookieFactory && { 'X-Sigil-Token-Delivery': 'cookie' }),
        ...(csrf && { 'X-CSRF-Token': csrf }),
      },
      body: JSON.stringify(body),
    });

  /**
   * The JSON body of a successful answer (undefined when there is none); a failed answer throws.
   * Untrusted: every caller checks the shape it needs.
   */
  async function json(pending: Promise<Response>): Promise<JsonObject | undefined> {
    const response = await pending;
    if (!response.ok) throw await errorFromResponse(response, now());
    const body: unknown = await response.json().catch(() => undefined);
    return typeof body === 'object' && body !== null ? (body as JsonObject) : undefined;
  }

  const cookie = cookieFactory?.(request, post, json);

  /** Refresh and logout present the refresh token: in the body, or as the HttpOnly cookie. */
  const postRefreshToken = (path: string, refreshToken: string | undefined) =>
    cookie ? cookie.post(path) : post(path, { refresh_token: refreshToken });

  /**
   * Expiry counts from when we *sent* the request: the token cannot have been issued earlier, so
   * the client errs on the side of refreshing a little early, whatever its clock says in absolute terms.
   */
  async function tokens(sentAt: number, pending: Promise<Response>): Promise<Session> {
    return sessionFromTokenResponse(await json(pending), sentAt, !cookie);
  }

  return {
    // JSON.stringify leaves out a signup name that is undefined.
    signIn: async (action, body) => tokens(now(), post(`/auth/${action}`, body)),
    refresh: async (refreshToken) => tokens(now(), postRefreshToken('/auth/refresh', refreshToken)),
    restore: cookie?.restore,
    async logout(refreshToken) {
      // Reading the (ignored) body also releases the connection.
      await json(postRefreshToken('/auth/logout', refreshToken));
    },
  };
}
