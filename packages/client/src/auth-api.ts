import { errorFromResponse, SigilClientError, unexpectedAnswer } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import { sessionFromTokenResponse, type Session } from './session.ts';

/** The auth server's token endpoints, speaking DESIGN.md's HTTP API. One concern: the wire. */
export interface AuthApi {
  login(email: string, password: string): Promise<Session>;
  signup(email: string, password: string, name: string | undefined): Promise<Session>;
  /** `refreshToken` is undefined in cookie mode: the browser sends the HttpOnly cookie. */
  refresh(refreshToken: string | undefined): Promise<Session>;
  logout(refreshToken: string | undefined): Promise<void>;
  /**
   * Cookie mode: asks the server whether this browser holds a refresh cookie (HttpOnly, so the page
   * cannot tell). `undefined` when the server does not say; never rejects.
   */
  hasSessionCookie(): Promise<boolean | undefined>;
}

/** A hung auth server must not hold the cross-tab refresh lock forever. */
const REQUEST_TIMEOUT_MS = 15_000;

export function createAuthApi({ fetch, issuer, now, cookie: cookieMode }: ResolvedOptions): AuthApi {
  let csrfToken: string | undefined;

  async function request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(issuer + path, {
        ...init,
        // Cookie mode needs the browser to send and store the auth server's cookies cross-origin.
        credentials: cookieMode ? 'include' : 'same-origin',
        cache: 'no-store',
        signal: AbortSignal.timeout?.(REQUEST_TIMEOUT_MS),
      });
    } catch (cause) {
      throw new SigilClientError('network_error', `Cannot reach ${issuer}`, { cause });
    }
  }

  /** POSTs `body` as JSON; `csrf` is the double-submit token for cookie-authenticated endpoints. */
  function post(path: string, body: object, csrf?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (cookieMode) headers['X-Sigil-Token-Delivery'] = 'cookie';
    if (csrf !== undefined) headers['X-CSRF-Token'] = csrf;
    return request(path, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  /** Cookie-authenticated POST: a stale CSRF token (cookie expired or rotated) gets one retry. */
  async function postWithCookie(path: string): Promise<Response> {
    const response = await post(path, {}, csrfToken ?? (await fetchCsrf()).token);
    if (response.status !== 403) return response;
    csrfToken = undefined;
    return post(path, {}, (await fetchCsrf()).token);
  }

  /** Refresh and logout present the refresh token: in the body, or as the HttpOnly cookie. */
  function postRefreshToken(path: string, refreshToken: string | undefined): Promise<Response> {
    return cookieMode ? postWithCookie(path) : post(path, { refresh_token: refreshToken });
  }

  /**
   * The JSON body of a successful answer (undefined when there is none); a failed answer throws.
   * Typed `any` but untrusted: every caller checks the shape it needs.
   */
  async function json(pending: Promise<Response>): Promise<any> {
    const response = await pending;
    if (!response.ok) throw await errorFromResponse(response, now());
    return response.json().catch(() => undefined);
  }

  /** GET /auth/csrf: remembers the CSRF token and returns whether a refresh cookie was sent. */
  async function fetchCsrf(): Promise<{ token: string; session: boolean | undefined }> {
    const body = await json(request('/auth/csrf', { headers: { Accept: 'application/json' } }));
    const token: unknown = body?.csrf_token;
    if (typeof token !== 'string' || token === '') throw unexpectedAnswer();
    csrfToken = token;
    return { token, session: typeof body.session === 'boolean' ? body.session : undefined };
  }

  /**
   * Expiry counts from when we *sent* the request: the token cannot have been issued earlier, so
   * the client errs on the side of refreshing a little early, whatever its clock says in absolute terms.
   */
  async function tokens(sentAt: number, pending: Promise<Response>): Promise<Session> {
    return sessionFromTokenResponse(await json(pending), sentAt, !cookieMode);
  }

  return {
    async login(email, password) {
      return tokens(now(), post('/auth/login', { email, password }));
    },
    async signup(email, password, name) {
      // JSON.stringify leaves out a name that is undefined.
      return tokens(now(), post('/auth/signup', { email, password, name }));
    },
    async refresh(refreshToken) {
      return tokens(now(), postRefreshToken('/auth/refresh', refreshToken));
    },
    async hasSessionCookie() {
      return fetchCsrf().then(
        (answer) => answer.session,
        () => undefined,
      );
    },
    async logout(refreshToken) {
      // Reading the (ignored) body also releases the connection.
      await json(postRefreshToken('/auth/logout', refreshToken));
    },
  };
}
