import { randomUUID } from 'node:crypto';
import * as sessions from '../storage/sessions.ts';
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
 * const bundle = await tokens.startSession(user, { ip, userAgent });
 */
export interface SessionTokens {
  /** Signs an access token for `user` in `session` and bundles it with `refreshToken`. */
  issue(user: UserRecord, session: { id: string }, refreshToken: string): Promise<TokenBundle>;
  /** When a refresh token issued at `at` expires: after `refreshTtl`, never after its session. */
  refreshExpiry(session: { expiresAt: Date }, at: Date): Date;
  /** Stores a new session with its first refresh token and returns its tokens. */
  startSession(user: UserRecord, meta: RequestMeta): Promise<TokenBundle>;
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
      },
      { issuer: deps.issuer(), audience: config.audience, ttlSeconds: config.accessTtl },
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

    async startSession(user, meta) {
      const at = now();
      const refreshToken = generateRefreshToken();
      const expiresAt = new Date(at.getTime() + config.sessionMaxTtl * 1000);
      const sessionId = randomUUID();
      // Signed before the session is stored: if signing fails, no session is left behind.
      const bundle = await issue(user, { id: sessionId }, refreshToken);
      await sessions.insertSessionWithRefreshToken(
        db,
        { id: sessionId, userId: user.id, userAgent: meta.userAgent?.slice(0, 512) ?? null, expiresAt },
        { tokenHash: hashRefreshToken(refreshToken), expiresAt: refreshExpiry({ expiresAt }, at) },
        at,
      );
      return bundle;
    },
  };
}
