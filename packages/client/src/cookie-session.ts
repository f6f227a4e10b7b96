import { unexpectedAnswer } from './errors.ts';
import type { AuthRequests, CookieTransport, SessionStrategy } from './strategy.ts';

/**
 * `storage: cookieSession()` (the `'cookie'` strategy, recommended in browsers): the refresh token
 * lives in the auth server's HttpOnly cookie, which no script can read, and the access token in
 * memory. A reload restores the session through the cookie (see the `restore` option).
 *
 * @example
 * createSigilClient({ issuer, apiOrigins, storage: cookieSession() });
 */
export function cookieSession(): SessionStrategy {
  return { kind: 'cookie', transport: cookieTransport };
}

const ignore = () => {};

/** Cookie-authenticated requests carry a CSRF proof: the double-submit token of `GET /auth/csrf`. */
function cookieTransport({ request, post, json }: AuthRequests): CookieTransport {
  let csrfToken: string | undefined;

  /** GET /auth/csrf: remembers the CSRF token and returns whether a refresh cookie was sent. */
  async function fetchCsrf(): Promise<boolean | undefined> {
    const body = await json(request('/auth/csrf', { headers: { Accept: 'application/json' } }));
    const token: unknown = body?.['csrf_token'];
    if (typeof token !== 'string' || token === '') throw unexpectedAnswer();
    csrfToken = token;
    const session = body?.['session'];
    return typeof session === 'boolean' ? session : undefined;
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
        .catch(ignore)
        .then((hasCookie) => (hasCookie === false ? undefined : refresh()))
        .then(ignore, ignore),
  };
}
