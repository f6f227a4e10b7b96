import { createAuthApi, type AuthApi } from './auth-api.ts';
import type { Discovery } from './discovery.ts';
import { SigilClientError, unexpectedAnswer } from './errors.ts';
import { checkedIdToken, jwtClaims, userFromClaims, type IdTokenExpectations } from './id-token.ts';
import type { IdTokenSlot } from './id-token-slot.ts';
import { postForm } from './oauth-request.ts';
import type { ResolvedOptions } from './options.ts';
import type { PendingLogin } from './pending-login.ts';
import type { Session } from './session.ts';

/** The OAuth side of the redirect flow: its token requests, plus the code's exchange. */
export interface OAuthApi extends AuthApi {
  /** `grant_type=authorization_code`: the callback's code, with this tab's verifier and nonce. */
  exchangeCode(code: string, login: PendingLogin): Promise<Session>;
}

/**
 * The client's token requests for a session that came from `/oauth/authorize` (the redirect flow):
 * a refresh is `grant_type=refresh_token` at the token endpoint (the refresh token rotates every
 * time, as at `/auth/refresh`), a logout revokes the refresh token (RFC 7009). The client's
 * session machinery (client.ts: storage, the refresh timer, one refresh across tabs under the Web
 * Lock, BroadcastChannel sync) runs over these exactly as over the Sigil endpoints. Signing in
 * with a password here is refused: the redirect flow signs in on the auth server's page.
 * The requests to the auth server's other endpoints (`requests`, which the account entry uses
 * with the access token) are the Sigil API's.
 */
export function createOAuthApi(
  opts: ResolvedOptions,
  clientId: string,
  discover: () => Promise<Discovery>,
  idTokens: IdTokenSlot,
): OAuthApi {
  const { now, fetch, issuer } = opts;
  const notHere = () => Promise.reject(new TypeError('Sigil: the redirect flow signs in with loginWithRedirect(), on the auth server'));

  /** A token request and its answer as the client's session; the ID token is checked and kept. */
  async function tokens(params: Record<string, string>, expected: Omit<IdTokenExpectations, 'issuer' | 'clientId'>): Promise<Session> {
    const { tokenEndpoint } = await discover();
    // Expiry counts from when the request was sent, on this client's clock (session.ts).
    const sentAt = now();
    const answer = await postForm(fetch, tokenEndpoint, { ...params, client_id: clientId }, now);
    const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn, token_type: tokenType } = answer ?? {};
    if (
      !isToken(accessToken) ||
      !isToken(refreshToken) ||
      typeof tokenType !== 'string' ||
      tokenType.toLowerCase() !== 'bearer' ||
      typeof expiresIn !== 'number' ||
      !(expiresIn > 0)
    ) {
      throw unexpectedAnswer();
    }
    // A refresh may leave the ID token out (RFC 6749 allows it); the session's user stays as it was.
    const idToken = answer?.['id_token'] ?? (params['grant_type'] === 'refresh_token' ? idTokens.read() : undefined);
    const claims = checkedIdToken(idToken, { issuer, clientId, ...expected });
    idTokens.write(idToken as string);
    return {
      accessToken,
      refreshToken,
      expiresAt: sentAt + expiresIn * 1000,
      receivedAt: sentAt,
      user: userFromClaims(claims, accessToken),
    };
  }

  return {
    ...createAuthApi(opts),
    login: notHere,
    verifyMfa: notHere,
    signup: notHere,
    restore: undefined,
    async refresh(refreshToken) {
      if (!refreshToken) throw new SigilClientError('not_logged_in', 'No session to refresh');
      const sub = jwtClaims(idTokens.read())?.['sub'];
      return tokens({ grant_type: 'refresh_token', refresh_token: refreshToken }, { sub: typeof sub === 'string' ? sub : undefined });
    },
    async logout(refreshToken) {
      const { revocationEndpoint } = await discover();
      if (!refreshToken || !revocationEndpoint) return;
      // 200 for every token (RFC 7009 2.2): the refresh token, and with it the session, is over.
      await postForm(fetch, revocationEndpoint, { token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId }, now);
    },
    exchangeCode: (code, login) =>
      tokens(
        { grant_type: 'authorization_code', code, redirect_uri: login.redirectUri, code_verifier: login.codeVerifier },
        { nonce: login.nonce },
      ),
  };
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
