import { randomBytes } from 'node:crypto';
import { SigilError } from '../errors.ts';
import { getOrCreateMeta } from '../storage/meta.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import { deriveSuccessorToken, hashRefreshToken, looksLikeRefreshToken } from '../tokens/refresh-token.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { AuthServiceDeps, TokenBundle } from './types.ts';

/** Longest refresh-token chain followed on a replay (tabs racing each other within the grace window). */
const MAX_REPLAY_DEPTH = 8;

/**
 * Refresh-token rotation and logout (docs/server.md, "Refresh tokens and sessions").
 *
 * @example
 * const rotation = createRefreshRotation(deps, tokens);
 * const bundle = await rotation.refresh(presentedRefreshToken);
 */
export interface RefreshRotation {
  /**
   * Rotates a refresh token (RFC 9700 4.14). Unused token: marked used, successor issued.
   * Used within the grace window: the successor already issued is returned again (idempotent,
   * so racing tabs or a retried request never branch the session). Used after the window:
   * reuse, so the whole session is revoked. A session started through OAuth refreshes only
   * through its own client (`clientId`); the JSON API's sessions only without one.
   */
  refresh(refreshToken: string, options?: { clientId?: string }): Promise<TokenBundle>;
  /** Ends the session of a refresh token. Unknown or malformed tokens are ignored (idempotent). */
  logout(refreshToken: string): Promise<void>;
}

export function createRefreshRotation(
  deps: Pick<AuthServiceDeps, 'db' | 'config' | 'logger' | 'now'>,
  tokens: SessionTokens,
): RefreshRotation {
  const { db, config, logger, now } = deps;
  let pepperPromise: Promise<string> | undefined;
  const pepper = () =>
    (pepperPromise ??= getOrCreateMeta(db, 'refresh_token_pepper', () => randomBytes(32).toString('base64url')).catch((error) => {
      pepperPromise = undefined;
      throw error;
    }));

  async function revokeForReuse(sessionId: string): Promise<never> {
    await db.transaction((tx) => sessions.revokeSession(tx, sessionId, 'refresh_token_reuse', now()));
    logger.warn({ event: 'refresh_token_reuse', sessionId }, 'refresh token reuse detected: session revoked');
    throw new SigilError('invalid_grant', 'Refresh token reuse detected; the session was revoked');
  }

  return {
    async refresh(refreshToken, options = {}) {
      if (!looksLikeRefreshToken(refreshToken)) throw new SigilError('invalid_grant', 'Invalid refresh token');
      const secret = await pepper();
      const outcome = await db.transaction(async (tx) => {
        const at = now();
        const record = await sessions.lockRefreshToken(tx, hashRefreshToken(refreshToken));
        if (!record) return { kind: 'invalid' as const, reason: 'Invalid refresh token' };
        const session = await sessions.findSession(tx, record.sessionId);
        if (!session || !sessions.isSessionActive(session, at)) return { kind: 'invalid' as const, reason: 'The session has ended' };
        const user = await users.findUserById(tx, session.userId);
        if (!user || user.disabled) return { kind: 'invalid' as const, reason: 'The session has ended' };
        // Checked before anything is used up: another client's token is refused, not rotated.
        if (session.oauth?.clientId !== options.clientId)
          return { kind: 'invalid' as const, reason: 'The refresh token was not issued to this client' };

        if (record.usedAt === null) {
          if (record.expiresAt <= at) return { kind: 'invalid' as const, reason: 'The refresh token expired' };
          const successor = deriveSuccessorToken(secret, refreshToken);
          await sessions.markRefreshTokenUsed(tx, record.tokenHash, at);
          await sessions.insertRefreshToken(
            tx,
            { tokenHash: hashRefreshToken(successor), sessionId: session.id, expiresAt: tokens.refreshExpiry(session, at) },
            at,
          );
          await sessions.touchSession(tx, session.id, at);
          return { kind: 'issue' as const, bundle: await tokens.issue(user, session, successor) };
        }

        // Already used: follow the chain of successors while each was used within the grace window.
        let current = refreshToken;
        let usedAt: Date | null = record.usedAt;
        for (let depth = 0; depth < MAX_REPLAY_DEPTH; depth++) {
          if (usedAt === null) return { kind: 'issue' as const, bundle: await tokens.issue(user, session, current) };
          if (at.getTime() - usedAt.getTime() > config.refreshGrace * 1000) break;
          current = deriveSuccessorToken(secret, current);
          const next = await sessions.findRefreshToken(tx, hashRefreshToken(current));
          if (!next) break;
          usedAt = next.usedAt;
        }
        return { kind: 'reuse' as const, sessionId: session.id };
      });
      if (outcome.kind === 'reuse') return revokeForReuse(outcome.sessionId);
      if (outcome.kind === 'invalid') throw new SigilError('invalid_grant', outcome.reason);
      return outcome.bundle;
    },

    async logout(refreshToken) {
      if (!looksLikeRefreshToken(refreshToken)) return;
      const record = await sessions.findRefreshToken(db, hashRefreshToken(refreshToken));
      if (record) await sessions.revokeSession(db, record.sessionId, 'logout', now());
    },
  };
}
