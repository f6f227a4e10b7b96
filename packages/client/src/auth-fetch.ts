import type { ResolvedOptions } from './options.ts';
import { stepUpRequired } from './step-up.ts';

/** Paths under the issuer that authenticate by body or cookie, never by Bearer token. */
const TOKEN_ENDPOINTS = ['/auth/login', '/auth/mfa/verify', '/auth/signup', '/auth/refresh', '/auth/logout', '/auth/csrf'];

/**
 * Whether `url` is one of the auth server's own token endpoints or public `.well-known` documents.
 * A Bearer header is useless there, and a 401 from them (wrong password, refused refresh token)
 * must never start the refresh-and-retry dance. `issuer` is the resolved one (no trailing slash).
 *
 * @example
 * isAuthServerEndpoint(new URL('https://auth.example.com/auth/refresh'), 'https://auth.example.com'); // true
 */
export function isAuthServerEndpoint(url: URL, issuer: string): boolean {
  const path = url.origin + url.pathname.replace(/\/+$/, '');
  return path.startsWith(`${issuer}/.well-known/`) || TOKEN_ENDPOINTS.some((endpoint) => path === issuer + endpoint);
}

/** What the authenticated fetch needs from the client's session (see `SigilClient`). */
export interface TokenSource {
  getAccessToken(): Promise<string | null>;
  refresh(): Promise<string>;
}

/**
 * The token to retry with after `rejected` drew a 401: the current one if a refresh (here or in
 * another tab) already replaced it, else a fresh one; null when logged out. Rejects like
 * `refresh()` when the session could not be renewed (an `invalid_grant` has then logged out).
 *
 * @example
 * const retryWith = await tokenAfterRejection(client, rejectedToken);
 */
export async function tokenAfterRejection(session: TokenSource, rejected: string): Promise<string | null> {
  const current = await session.getAccessToken();
  return current === rejected ? session.refresh() : current;
}

/**
 * `fetch` with the access token attached for the configured API origins only (exact origin match,
 * so `https://api.example.com.evil.net` or another port never sees it). A 401 leads to at most one
 * refresh and one retry: the retry's answer is returned whatever it is, so no server behaviour can
 * make it loop. The exception is a step-up challenge (401 `insufficient_user_authentication`):
 * a refresh cannot answer it, so it rejects with `StepUpRequiredError` at once, for the app to
 * run the step-up and retry.
 */
export function createAuthFetch(
  options: Pick<ResolvedOptions, 'fetch' | 'apiOrigins' | 'issuer'>,
  session: TokenSource,
): typeof globalThis.fetch {
  return async function sigilFetch(input, init) {
    const request = new Request(input, init);
    const url = new URL(request.url);
    // An explicit Authorization header is the caller's decision; we never override it.
    if (!options.apiOrigins.has(url.origin) || request.headers.has('authorization') || isAuthServerEndpoint(url, options.issuer)) {
      return options.fetch(request);
    }
    const token = await session.getAccessToken();
    if (token === null) return options.fetch(request);

    // A body can be read once: keep a copy only when a retry may need it.
    const spare = request.body === null ? request : request.clone();
    const response = await withoutStepUp(await options.fetch(withBearer(request, token)));
    if (response.status !== 401) return response;

    const renewed = await tokenAfterRejection(session, token).catch(() => null);
    if (renewed === null || renewed === token) return response;
    await release(response);
    return withoutStepUp(await options.fetch(withBearer(spare, renewed)));
  };
}

/** `response`, unless it is a step-up challenge: then its `StepUpRequiredError` (and the body is released). */
async function withoutStepUp(response: Response): Promise<Response> {
  if (response.status !== 401) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  const stepUp = stepUpRequired(response.headers.get('WWW-Authenticate'), body, response);
  if (!stepUp) return response;
  await release(response);
  throw stepUp;
}

/** A discarded answer's body is cancelled, which releases its connection. */
async function release(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

function withBearer(request: Request, token: string): Request {
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}
