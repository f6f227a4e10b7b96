import { randomUUID } from 'node:crypto';
import * as sessions from '../storage/sessions.ts';
import type { SessionGrant } from '../storage/sessions.ts';
import type { UserRecord } from '../storage/users.ts';
import { signAccessToken } from '../tokens/access-token.ts';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token.ts';
import { toPublicUser, type AuthServiceDeps, type RequestMeta, type TokenBundle } from './types.ts';

/**
 * Issuing tokens: a signed access token with its refresh token, and the session a login or
 * signup starts.
 *
 * @example
 * const tokens = createSessionTokens(deps);
 * const bundle = await tokens.startSession(user, { ip, userAgent }, { amr: ['pwd'] });
 */
export interface SessionTokens {
  /**
   * Signs an access token for `user` in `session` and bundles it with `refreshToken`. The
   * token's `amr` and `auth_time` are the session's: a refresh keeps how and when the user logged in.
   */
  issue(
    user: UserRecord,
    session: SessionAuthentication & { id: string; oauth?: SessionGrant | null },
    refreshToken: string,
  ): Promise<TokenBundle>;
  /** When a refresh token issued at `at` expires: after `refreshTtl`, never after its session. */
  refreshExpiry(session: { expiresAt: Date }, at: Date): Date;
  /**
   * Stores a new session with its first refresh token and returns its tokens. `authentication`
   * says how the user just proved who they are; `authTime` defaults to now.
   */
  startSession(user: UserRecord, meta: RequestMeta, authentication: { amr: readonly string[]; authTime?: Date }): Promise<TokenBundle>;
}

/** How and when a session's login authenticated the user (the `amr` and `auth_time` claims). */
export interface SessionAuthentication {
  amr: readonly string[];
  authTime: Date;
}

export function createSessionTokens(deps: Pick<AuthServiceDeps, 'db' | 'config' | 'keys' | 'now' | 'issuer'>): SessionTokens {
  const { db, config, keys, now } = deps;

  const issue: SessionTokens['issue'] = async (user, session, refreshToken) => {
    const access = await signAccessToken(
      keys,
      {
        userId: user.id,
        email: user.email,
        emailVerified: user.emailVerified,
        name: user.name,
        roles: user.roles,
        sessionId: session.id,
        amr: session.amr,
        authTime: session.authTime,
        ...(session.oauth ? { client: { clientId: session.oauth.clientId, scope: session.oauth.scope } } : {}),
      },
      { issuer: deps.issuer(), audience: session.oauth?.resource ?? config.audience, ttlSeconds: config.accessTtl },
      now(),
    );
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      expiresAt: access.expiresAt,
      refreshToken,
      sessionId: session.id,
      user: toPublicUser(user),
    };
  };

  const refreshExpiry: SessionTokens['refreshExpiry'] = (session, at) =>
    new Date(Math.min(at.getTime() + config.refreshTtl * 1000, session.expiresAt.getTime()));

  return {
    issue,
    refreshExpiry,

    async startSession(user, meta, authentication) {
      const at = now();
      const refreshToken = generateRefreshToken();
      const expiresAt = new Date(at.getTime() + config.sessionMaxTtl * 1000);
      const sessionId = randomUUID();
      const auth: SessionAuthentication = { amr: [...authentication.amr], authTime: authentication.authTime ?? at };
      // Signed before the session is stored: if signing fails, no session is left behind.
      const bundle = await issue(user, { id: sessionId, ...auth }, refreshToken);
      await sessions.insertSessionWithRefreshToken(
        db,
        { id: sessionId, userId: user.id, userAgent: meta.userAgent?.slice(0, 512) ?? null, expiresAt, ...auth },
        { tokenHash: hashRefreshToken(refreshToken), expiresAt: refreshExpiry({ expiresAt }, at) },
        at,
      );
      return bundle;
    },
  };
}
