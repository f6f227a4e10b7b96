import { errorFromResponse, SigilClientError, unexpectedAnswer } from './errors.ts';
import { mfaChallengeFrom, type MfaRequired } from './mfa.ts';
import type { ResolvedOptions } from './options.ts';
import { sessionFromTokenResponse, userFromServer, type Session, type SigilUser } from './session.ts';
import type { AuthRequests, CookieTransport } from './strategy.ts';

/** The auth server's token endpoints, speaking its HTTP API (docs/server.md). One concern: the wire. */
export interface AuthApi {
  /**
   * POSTs `{email, password}` to `/auth/login`: the session, or the `mfa_required` step when the
   * account has a second factor (the server's 403, whose body carries the `mfa_token`).
   */
  login(body: object): Promise<Session | MfaRequired>;
  /** POSTs `{mfa_token, method, code}` to `/auth/mfa/verify`. */
  verifyMfa(body: object): Promise<Session>;
  /**
   * POSTs `{email, password, name}` to `/auth/signup`. No `session` when the server requires the
   * address to be verified first: it then answers with the new user and no tokens.
   */
  signup(body: object): Promise<{ user: SigilUser; session?: Session }>;
  /** `refreshToken` is undefined in cookie mode: the browser sends the HttpOnly cookie. */
  refresh(refreshToken: string | undefined): Promise<Session>;
  logout(refreshToken: string | undefined): Promise<void>;
  /** Cookie mode's startup restore (see `CookieTransport.restore`); undefined in the other modes. */
  restore: CookieTransport['restore'] | undefined;
  /** The requests these calls are made of, for the account endpoints (account.ts). */
  requests: AuthRequests;
}

/** A hung auth server must not hold the cross-tab refresh lock forever. */
const REQUEST_TIMEOUT_MS = 15_000;

const JSON_TYPE = 'application/json';

export function createAuthApi({ fetch, issuer, now, cookie: cookieStrategy }: ResolvedOptions): AuthApi {
  const requests: AuthRequests = {
    now,
    async request(path, init) {
      try {
        return await fetch(issuer + path, {
          ...init,
          // Cookie mode needs the browser to send and store the auth server's cookies cross-origin.
          credentials: cookieStrategy ? 'include' : 'same-origin',
          cache: 'no-store',
          signal: AbortSignal.timeout?.(REQUEST_TIMEOUT_MS),
        });
      } catch (cause) {
        throw new SigilClientError('network_error', `Cannot reach ${issuer}`, { cause });
      }
    },

    post(path, body, csrf) {
      const headers: Record<string, string> = { Accept: JSON_TYPE, 'Content-Type': JSON_TYPE };
      if (cookieStrategy) headers['X-Sigil-Token-Delivery'] = 'cookie';
      if (csrf) headers['X-CSRF-Token'] = csrf;
      return requests.request(path, { method: 'POST', headers, body: JSON.stringify(body) });
    },

    // Untrusted: every caller checks the shape it needs.
    async json(pending) {
      const response = await pending;
      if (!response.ok) throw await errorFromResponse(response, now());
      const body: unknown = await response.json().catch(() => undefined);
      return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
    },
  };

  const cookie = cookieStrategy?.transport(requests);
  const json = requests.json;

  /** Refresh and logout present the refresh token: in the body, or as the HttpOnly cookie. */
  const postRefreshToken = (path: string, refreshToken: string | undefined) =>
    cookie ? cookie.post(path) : requests.post(path, { refresh_token: refreshToken });

  /**
   * Expiry counts from when we *sent* the request: the token cannot have been issued earlier, so
   * the client errs on the side of refreshing a little early, whatever its clock says in absolute terms.
   */
  async function tokens(sentAt: number, pending: Promise<Response>): Promise<Session> {
    return sessionFromTokenResponse(await json(pending), sentAt, !cookie);
  }

  return {
    requests,
    async login(body) {
      const sentAt = now();
      const response = await requests.post('/auth/login', body);
      // Any other 403 (email_not_verified...) is an error like the 401 of a wrong password.
      const mfa =
        response.status === 403
          ? mfaChallengeFrom(
              await response
                .clone()
                .json()
                .catch(() => undefined),
            )
          : undefined;
      return mfa ?? tokens(sentAt, Promise.resolve(response));
    },
    verifyMfa: async (body) => tokens(now(), requests.post('/auth/mfa/verify', body)),
    async signup(body) {
      const sentAt = now();
      // JSON.stringify leaves out a name that is undefined.
      const answer = await json(requests.post('/auth/signup', body));
      if (answer?.['email_verification_required'] !== true) {
        const session = sessionFromTokenResponse(answer, sentAt, !cookie);
        return { user: session.user, session };
      }
      const user = userFromServer(answer['user']);
      if (!user) throw unexpectedAnswer();
      return { user };
    },
    refresh: async (refreshToken) => tokens(now(), postRefreshToken('/auth/refresh', refreshToken)),
    restore: cookie?.restore,
    async logout(refreshToken) {
      // Reading the (ignored) body also releases the connection.
      await json(postRefreshToken('/auth/logout', refreshToken));
    },
  };
}
