import { errorFromResponse, SigilClientError } from './errors.ts';
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

export function createAuthApi(options: ResolvedOptions): AuthApi {
  const cookieMode = options.mode === 'cookie';
  let csrfToken: string | undefined;

  /** POSTs JSON; `csrf` adds the double-submit header for cookie-authenticated endpoints. */
  async function send(path: string, body: Record<string, unknown>, csrf: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (cookieMode) headers['X-Sigil-Token-Delivery'] = 'cookie';
    if (csrf) headers['X-CSRF-Token'] = await getCsrfToken();
    return request(path, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  async function request(path: string, init: RequestInit): Promise<Response> {
    const timeout = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined;
    try {
      return await options.fetch(options.issuer + path, {
        ...init,
        // Cookie mode needs the browser to send and store the auth server's cookies cross-origin.
        credentials: cookieMode ? 'include' : 'same-origin',
        cache: 'no-store',
        ...(timeout ? { signal: timeout } : {}),
      });
    } catch (cause) {
      throw new SigilClientError('network_error', `Could not reach the auth server at ${options.issuer}`, { cause });
    }
  }

  /** GET /auth/csrf: remembers the CSRF token and returns whether a refresh cookie was sent. */
  async function fetchCsrf(): Promise<{ token: string; session: boolean | undefined }> {
    const response = await request('/auth/csrf', { method: 'GET', headers: { Accept: 'application/json' } });
    if (!response.ok) throw await errorFromResponse(response, options.now());
    const body = (await response.json().catch(() => undefined)) as { csrf_token?: unknown; session?: unknown } | undefined;
    if (typeof body?.csrf_token !== 'string' || body.csrf_token === '') {
      throw new SigilClientError('invalid_response', 'The auth server did not return a CSRF token');
    }
    csrfToken = body.csrf_token;
    return { token: body.csrf_token, session: typeof body.session === 'boolean' ? body.session : undefined };
  }

  async function getCsrfToken(): Promise<string> {
    return csrfToken ?? (await fetchCsrf()).token;
  }

  /** Cookie-authenticated POST: a stale CSRF token (cookie expired or rotated) gets one retry. */
  async function sendWithCookie(path: string): Promise<Response> {
    const response = await send(path, {}, true);
    if (response.status !== 403) return response;
    csrfToken = undefined;
    return send(path, {}, true);
  }

  /**
   * Expiry counts from when we *sent* the request: the token cannot have been issued earlier, so
   * the client errs on the side of refreshing a little early, whatever its clock says in absolute terms.
   */
  async function tokens(sentAt: number, pending: Promise<Response>): Promise<Session> {
    const response = await pending;
    if (!response.ok) throw await errorFromResponse(response, options.now());
    const body: unknown = await response.json().catch(() => undefined);
    return sessionFromTokenResponse(body, sentAt, !cookieMode);
  }

  return {
    async login(email, password) {
      return tokens(options.now(), send('/auth/login', { email, password }, false));
    },
    async signup(email, password, name) {
      const body = name === undefined ? { email, password } : { email, password, name };
      return tokens(options.now(), send('/auth/signup', body, false));
    },
    async refresh(refreshToken) {
      const sentAt = options.now();
      if (cookieMode) return tokens(sentAt, sendWithCookie('/auth/refresh'));
      return tokens(sentAt, send('/auth/refresh', { refresh_token: refreshToken }, false));
    },
    async hasSessionCookie() {
      return fetchCsrf().then(
        (answer) => answer.session,
        () => undefined,
      );
    },
    async logout(refreshToken) {
      const response = cookieMode ? await sendWithCookie('/auth/logout') : await send('/auth/logout', { refresh_token: refreshToken }, false);
      if (!response.ok) throw await errorFromResponse(response, options.now());
    },
  };
}
