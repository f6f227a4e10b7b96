import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { KeyManager } from '../keys/index.ts';
import type { Logger } from '../logger.ts';
import type { RefreshRotation } from '../sessions/refresh-rotation.ts';
import type { SessionTokens } from '../sessions/session-tokens.ts';
import type { Database } from '../storage/index.ts';
import * as codes from '../storage/oauth-codes.ts';
import type { OAuthClientRecord } from '../storage/oauth-clients.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import { signClientAccessToken } from '../tokens/access-token.ts';
import { signIdToken } from '../tokens/id-token.ts';
import { hashOpaqueToken, looksLikeOpaqueToken } from '../tokens/opaque-token.ts';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token.ts';
import { allowedResource } from './authorization-request.ts';
import type { AuthenticatedClient } from './client-auth.ts';
import { OAuthError } from './errors.ts';
import { isCodeVerifier, verifiesChallenge } from './pkce.ts';
import { claimsFor, hasScope } from './scopes.ts';

/** The token endpoint's success body (RFC 6749 5.1, OIDC Core 3.1.3.3). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope: string;
}

export interface TokenGrantDeps {
  db: Database;
  config: Config;
  keys: KeyManager;
  logger: Logger;
  now: () => Date;
  issuer: () => string;
  tokens: SessionTokens;
  rotation: RefreshRotation;
}

function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be given once`);
  return value;
}

/**
 * The grants of `POST /oauth/token` (docs/oauth.md, "Endpoints"): `authorization_code` with
 * PKCE, `refresh_token` through Sigil's rotation, `client_credentials` for confidential clients.
 *
 * @example
 * const grants = createTokenGrants(deps);
 * const response = await grants.grant(await authenticateClient(registry, presented, issuer), body);
 */
export function createTokenGrants(deps: TokenGrantDeps) {
  const { db, config, keys, logger, now } = deps;

  /** The session's tokens as the token endpoint answers them, with an ID token when `openid` was granted. */
  async function sessionResponse(
    session: sessions.SessionRecord,
    user: users.UserRecord,
    accessToken: { token: string; expiresIn: number },
    refreshToken: string,
    nonce?: string | null,
  ) {
    if (!session.oauth) throw new OAuthError('invalid_grant', 'The session has ended');
    const response: TokenResponse = {
      access_token: accessToken.token,
      token_type: 'Bearer',
      expires_in: accessToken.expiresIn,
      refresh_token: refreshToken,
      scope: session.oauth.scope,
    };
    if (hasScope(session.oauth.scope, 'openid')) {
      response.id_token = await signIdToken(
        keys,
        {
          userId: user.id,
          clientId: session.oauth.clientId,
          sessionId: session.id,
          amr: session.amr,
          authTime: session.authTime,
          nonce: nonce ?? null,
          accessToken: accessToken.token,
          claims: claimsFor(session.oauth.scope, user),
        },
        { issuer: deps.issuer(), ttlSeconds: config.accessTtl },
        now(),
      );
    }
    return response;
  }

  async function authorizationCode(client: OAuthClientRecord, body: Record<string, unknown>): Promise<TokenResponse> {
    const code = text(body, 'code');
    const redirectUri = text(body, 'redirect_uri');
    const verifier = text(body, 'code_verifier');
    if (!code) throw new OAuthError('invalid_request', 'code is required');
    if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
    if (!looksLikeOpaqueToken(code)) throw new OAuthError('invalid_grant', 'The authorization code is invalid');

    const outcome = await db.transaction(async (tx) => {
      const at = now();
      const record = await codes.lockCode(tx, hashOpaqueToken(code));
      if (!record || record.consentHash !== null) return { kind: 'invalid' as const, reason: 'The authorization code is invalid' };
      if (record.usedAt !== null) {
        // RFC 9700 4.2.4: a code used twice was stolen or leaked: what it issued is revoked.
        await sessions.revokeSession(tx, record.sessionId, 'authorization_code_replay', at);
        return { kind: 'replay' as const, sessionId: record.sessionId };
      }
      // Any failure from here uses the code up: the right client with the right verifier never fails.
      await codes.markCodeUsed(tx, record.codeHash, at);
      if (record.clientId !== client.clientId)
        return { kind: 'invalid' as const, reason: 'The authorization code was issued to another client' };
      if (record.expiresAt <= at) return { kind: 'invalid' as const, reason: 'The authorization code expired' };
      if (record.redirectUri !== redirectUri)
        return { kind: 'invalid' as const, reason: 'redirect_uri does not match the authorization request' };
      if (verifier === undefined) return { kind: 'invalid' as const, reason: 'code_verifier is required (PKCE)' };
      if (!isCodeVerifier(verifier) || !verifiesChallenge(verifier, record.codeChallenge))
        return { kind: 'invalid' as const, reason: 'code_verifier does not match the code_challenge' };

      const session = await sessions.findSession(tx, record.sessionId);
      if (!session || !sessions.isSessionActive(session, at)) return { kind: 'invalid' as const, reason: 'The session has ended' };
      const user = await users.findUserById(tx, session.userId);
      if (!user || user.disabled) return { kind: 'invalid' as const, reason: 'The session has ended' };
      const refreshToken = generateRefreshToken();
      await sessions.insertRefreshToken(
        tx,
        { tokenHash: hashRefreshToken(refreshToken), sessionId: session.id, expiresAt: deps.tokens.refreshExpiry(session, at) },
        at,
      );
      const bundle = await deps.tokens.issue(user, session, refreshToken, tx);
      return { kind: 'issued' as const, bundle, session, user, nonce: record.nonce };
    });
    if (outcome.kind === 'replay') {
      logger.warn(
        { event: 'oauth_code_replay', clientId: client.clientId, sessionId: outcome.sessionId },
        'authorization code replayed: session revoked',
      );
      throw new OAuthError('invalid_grant', 'The authorization code was already used; what it issued is revoked');
    }
    if (outcome.kind === 'invalid') throw new OAuthError('invalid_grant', outcome.reason);
    const { bundle } = outcome;
    return sessionResponse(
      outcome.session,
      outcome.user,
      { token: bundle.accessToken, expiresIn: bundle.expiresIn },
      bundle.refreshToken,
      outcome.nonce,
    );
  }

  async function refreshToken(client: OAuthClientRecord, body: Record<string, unknown>): Promise<TokenResponse> {
    const token = text(body, 'refresh_token');
    if (!token) throw new OAuthError('invalid_request', 'refresh_token is required');
    try {
      const bundle = await deps.rotation.refresh(token, { clientId: client.clientId });
      // The rotation answers with tokens only: the ID token needs the session's sign-in and grant.
      const session = await sessions.findSession(db, bundle.sessionId);
      const user = session && (await users.findUserById(db, session.userId));
      if (!session || !user) throw new OAuthError('invalid_grant', 'The session has ended');
      return await sessionResponse(session, user, { token: bundle.accessToken, expiresIn: bundle.expiresIn }, bundle.refreshToken);
    } catch (error) {
      if (error instanceof SigilError && error.code === 'invalid_grant') throw new OAuthError('invalid_grant', error.message);
      throw error;
    }
  }

  async function clientCredentials(authenticated: AuthenticatedClient, body: Record<string, unknown>): Promise<TokenResponse> {
    const { client } = authenticated;
    if (authenticated.method === 'none') throw new OAuthError('unauthorized_client', 'client_credentials is for confidential clients');
    const requested = text(body, 'scope');
    const asked = requested === undefined ? client.scopes : [...new Set(requested.split(' ').filter(Boolean))];
    const refused = asked.filter((scope) => !client.scopes.includes(scope));
    // The description never echoes the request: RFC 6749 5.2 limits it to printable ASCII without quotes.
    if (refused.length > 0) throw new OAuthError('invalid_scope', 'The client may not ask for some of the requested scopes');
    const resource = allowedResource(client, text(body, 'resource'), config.audience);
    if (resource === undefined) throw new OAuthError('invalid_target', 'The resource is not one this client may use');
    const scope = asked.join(' ');
    const access = await signClientAccessToken(
      keys,
      { clientId: client.clientId, scope },
      { issuer: deps.issuer(), audience: resource, ttlSeconds: config.accessTtl },
      now(),
    );
    logger.info({ event: 'oauth_client_credentials', clientId: client.clientId }, 'machine-to-machine token issued');
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope };
  }

  return {
    async grant(authenticated: AuthenticatedClient, body: Record<string, unknown>): Promise<TokenResponse> {
      const grantType = text(body, 'grant_type');
      if (grantType === 'authorization_code') return authorizationCode(authenticated.client, body);
      if (grantType === 'refresh_token') return refreshToken(authenticated.client, body);
      if (grantType === 'client_credentials') return clientCredentials(authenticated, body);
      if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
      throw new OAuthError('unsupported_grant_type', 'Supported grants: authorization_code, refresh_token, client_credentials');
    },
  };
}

export type TokenGrants = ReturnType<typeof createTokenGrants>;
