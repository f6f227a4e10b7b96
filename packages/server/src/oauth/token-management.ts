import type { Database } from '../storage/index.ts';
import type { OAuthClientRecord } from '../storage/oauth-clients.ts';
import * as sessions from '../storage/sessions.ts';
import { hashRefreshToken, looksLikeRefreshToken } from '../tokens/refresh-token.ts';
import type { AuthenticatedClient } from './client-auth.ts';
import { OAuthError } from './errors.ts';
import type { LiveAccessToken } from './issued-tokens.ts';

/** RFC 7662 2.2: an inactive token says nothing more. */
export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * Revocation (RFC 7009) and introspection (RFC 7662) of the tokens Sigil issues: refresh tokens
 * (opaque, looked up by hash) and access tokens (JWTs, checked by the verification core).
 */
export function createTokenManagement(deps: {
  db: Database;
  now: () => Date;
  issuer: () => string;
  checkAccessToken: (token: string) => Promise<LiveAccessToken | undefined>;
}) {
  const { db, now } = deps;

  /** The session and its refresh token, when `token` is a live refresh token. */
  async function refreshSession(token: string) {
    if (!looksLikeRefreshToken(token)) return undefined;
    const record = await sessions.findRefreshToken(db, hashRefreshToken(token));
    if (!record) return undefined;
    const session = await sessions.findSession(db, record.sessionId);
    if (!session || !sessions.isSessionActive(session, now())) return undefined;
    return { record, session };
  }

  return {
    /**
     * Ends the session of a refresh token or access token that was issued to `client`. Unknown,
     * foreign or already-dead tokens get the same answer (RFC 7009 2.2: 200 either way), so
     * revocation tells nothing about tokens of other clients.
     */
    async revoke(client: OAuthClientRecord, body: Record<string, unknown>): Promise<void> {
      const token = body.token;
      if (typeof token !== 'string' || token === '') throw new OAuthError('invalid_request', 'token is required');
      const refresh = await refreshSession(token);
      if (refresh) {
        if (refresh.session.oauth?.clientId === client.clientId) await sessions.revokeSession(db, refresh.session.id, 'revoked', now());
        return;
      }
      const access = await deps.checkAccessToken(token);
      if (access?.session && access.claims.client_id === client.clientId)
        await sessions.revokeSession(db, access.session.id, 'revoked', now());
    },

    /** RFC 7662: only confidential clients (resource servers) may ask. */
    async introspect(authenticated: AuthenticatedClient, body: Record<string, unknown>): Promise<IntrospectionResponse> {
      if (authenticated.method === 'none') throw new OAuthError('invalid_client', 'Introspection is for confidential clients');
      const token = body.token;
      if (typeof token !== 'string' || token === '') throw new OAuthError('invalid_request', 'token is required');
      const hint = body.token_type_hint;
      const tryRefreshFirst = hint === 'refresh_token';
      const asRefresh = async (): Promise<IntrospectionResponse | undefined> => {
        const refresh = await refreshSession(token);
        if (!refresh || refresh.record.usedAt !== null || refresh.record.expiresAt <= now()) return undefined;
        const { session } = refresh;
        return {
          active: true,
          token_type: 'refresh_token',
          iss: deps.issuer(),
          sub: session.userId,
          sid: session.id,
          exp: Math.floor(refresh.record.expiresAt.getTime() / 1000),
          iat: Math.floor(refresh.record.createdAt.getTime() / 1000),
          ...(session.oauth ? { client_id: session.oauth.clientId, scope: session.oauth.scope, aud: session.oauth.resource } : {}),
        };
      };
      const asAccess = async (): Promise<IntrospectionResponse | undefined> => {
        const access = await deps.checkAccessToken(token);
        if (!access) return undefined;
        const { claims } = access;
        return { active: true, token_type: 'access_token', ...claims };
      };
      const found = tryRefreshFirst ? ((await asRefresh()) ?? (await asAccess())) : ((await asAccess()) ?? (await asRefresh()));
      return found ?? { active: false };
    },
  };
}

export type TokenManagement = ReturnType<typeof createTokenManagement>;
