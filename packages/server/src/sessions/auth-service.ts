import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { KeyManager } from '../keys/index.ts';
import type { Logger } from '../logger.ts';
import type { PasswordHasher } from '../passwords/hashing.ts';
import type { Database } from '../storage/index.ts';
import { UniqueViolationError } from '../storage/index.ts';
import { getOrCreateMeta } from '../storage/meta.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import { createAccessTokenVerifier, signAccessToken, type AccessTokenClaims } from '../tokens/access-token.ts';
import { deriveSuccessorToken, generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from '../tokens/refresh-token.ts';
import { randomBytes } from 'node:crypto';

/** What clients may see of a user: never a password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
}

export interface TokenBundle {
  accessToken: string;
  expiresIn: number;
  expiresAt: number;
  refreshToken: string;
  sessionId: string;
  user: PublicUser;
}

export interface RequestMeta {
  userAgent: string | null;
}

export interface Authenticated {
  claims: AccessTokenClaims;
  user: users.UserRecord;
  session: sessions.SessionRecord;
}

export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  current: boolean;
}

export interface AuthServiceDeps {
  db: Database;
  config: Config;
  keys: KeyManager;
  hasher: PasswordHasher;
  logger: Logger;
  now: () => Date;
  /** The issuer in force (it may be fixed only once the server listens on a random port). */
  issuer: () => string;
}

/** Longest refresh-token chain followed on a replay (tabs racing each other within the grace window). */
const MAX_REPLAY_DEPTH = 8;

export function toPublicUser(user: users.UserRecord): PublicUser {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
}

/**
 * The auth server's use cases, independent of HTTP: each method validates state, touches storage
 * in one transaction where atomicity matters, and throws `SigilError`s with DESIGN.md's codes.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { db, config, keys, hasher, logger, now } = deps;
  const verifyAccessToken = createAccessTokenVerifier({ keys, config, issuer: deps.issuer, now });
  let pepperPromise: Promise<string> | undefined;
  const pepper = () =>
    (pepperPromise ??= getOrCreateMeta(db, 'refresh_token_pepper', () => randomBytes(32).toString('base64url')).catch((error) => {
      pepperPromise = undefined;
      throw error;
    }));

  async function issue(user: users.UserRecord, session: { id: string }, refreshToken: string): Promise<TokenBundle> {
    const access = await signAccessToken(
      keys,
      { userId: user.id, email: user.email, name: user.name, roles: user.roles, sessionId: session.id },
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
  }

  function refreshExpiry(session: { expiresAt: Date }, at: Date): Date {
    return new Date(Math.min(at.getTime() + config.refreshTtl * 1000, session.expiresAt.getTime()));
  }

  async function startSession(user: users.UserRecord, meta: RequestMeta): Promise<TokenBundle> {
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
  }

  async function createUser(input: { email: string; password: string; name?: string | null; roles?: string[] }): Promise<users.UserRecord> {
    const passwordHash = await hasher.hash(input.password);
    try {
      return await users.insertUser(db, { email: input.email, name: input.name ?? null, roles: input.roles ?? [], passwordHash }, now());
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new SigilError('email_taken', 'An account with this email already exists');
      throw error;
    }
  }

  async function revokeForReuse(sessionId: string): Promise<never> {
    await db.transaction((tx) => sessions.revokeSession(tx, sessionId, 'refresh_token_reuse', now()));
    logger.warn({ event: 'refresh_token_reuse', sessionId }, 'refresh token reuse detected: session revoked');
    throw new SigilError('invalid_grant', 'Refresh token reuse detected; the session was revoked');
  }

  return {
    createUser,

    async signup(input: { email: string; password: string; name?: string | null }, meta: RequestMeta): Promise<TokenBundle> {
      const user = await createUser(input);
      logger.info({ event: 'signup', userId: user.id }, 'user signed up');
      return startSession(user, meta);
    },

    async login(input: { email: string; password: string }, meta: RequestMeta): Promise<TokenBundle> {
      const user = await users.findUserByEmail(db, input.email);
      if (!user) {
        // Same work and same answer as a wrong password: no account enumeration by timing.
        await hasher.verifyDummy(input.password);
        throw new SigilError('invalid_credentials', 'Invalid email or password');
      }
      const valid = await hasher.verify(user.passwordHash, input.password);
      if (!valid || user.disabled) throw new SigilError('invalid_credentials', 'Invalid email or password');
      if (hasher.needsRehash(user.passwordHash)) {
        await users.updatePasswordHash(db, user.id, await hasher.hash(input.password), now());
        logger.info({ event: 'password_rehash', userId: user.id }, 'password rehashed with current parameters');
      }
      logger.info({ event: 'login', userId: user.id }, 'user logged in');
      return startSession(user, meta);
    },

    /**
     * Rotates a refresh token (RFC 9700 4.14). Unused token: marked used, successor issued.
     * Used within the grace window: the successor already issued is returned again (idempotent,
     * so racing tabs or a retried request never branch the session). Used after the window:
     * reuse, so the whole session is revoked.
     */
    async refresh(refreshToken: string): Promise<TokenBundle> {
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

        if (record.usedAt === null) {
          if (record.expiresAt <= at) return { kind: 'invalid' as const, reason: 'The refresh token expired' };
          const successor = deriveSuccessorToken(secret, refreshToken);
          await sessions.markRefreshTokenUsed(tx, record.tokenHash, at);
          await sessions.insertRefreshToken(
            tx,
            { tokenHash: hashRefreshToken(successor), sessionId: session.id, expiresAt: refreshExpiry(session, at) },
            at,
          );
          await sessions.touchSession(tx, session.id, at);
          return { kind: 'issue' as const, bundle: await issue(user, session, successor) };
        }

        // Already used: follow the chain of successors while each was used within the grace window.
        let current = refreshToken;
        let usedAt: Date | null = record.usedAt;
        for (let depth = 0; depth < MAX_REPLAY_DEPTH; depth++) {
          if (usedAt === null) return { kind: 'issue' as const, bundle: await issue(user, session, current) };
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

    /** Ends the session of a refresh token. Unknown or malformed tokens are ignored (idempotent). */
    async logout(refreshToken: string): Promise<void> {
      if (!looksLikeRefreshToken(refreshToken)) return;
      const record = await sessions.findRefreshToken(db, hashRefreshToken(refreshToken));
      if (record) await sessions.revokeSession(db, record.sessionId, 'logout', now());
    },

    /** Verifies a Bearer token and checks that its session and user are still active. */
    async authenticate(accessToken: string): Promise<Authenticated> {
      const at = now();
      const claims = await verifyAccessToken(accessToken);
      const [user, session] = await Promise.all([users.findUserById(db, claims.sub), sessions.findSession(db, claims.sid)]);
      if (!user || user.disabled || !session || session.userId !== user.id || !sessions.isSessionActive(session, at)) {
        throw new SigilError('invalid_token', 'The session of this access token has ended');
      }
      return { claims, user, session };
    },

    async listSessions(auth: Authenticated): Promise<SessionView[]> {
      const list = await sessions.listActiveSessions(db, auth.user.id, now());
      return list.map((s) => ({
        id: s.id,
        created_at: s.createdAt.toISOString(),
        last_used_at: s.lastUsedAt.toISOString(),
        user_agent: s.userAgent,
        current: s.id === auth.session.id,
      }));
    },

    async revokeSession(auth: Authenticated, sessionId: string): Promise<void> {
      const session = await sessions.findSession(db, sessionId);
      // Another user's session is "not found" too: never confirm that an id exists.
      if (!session || session.userId !== auth.user.id || !sessions.isSessionActive(session, now())) {
        throw new SigilError('not_found', 'No such session');
      }
      await sessions.revokeSession(db, session.id, 'revoked_by_user', now());
    },

    async changePassword(auth: Authenticated, currentPassword: string, newPassword: string): Promise<void> {
      const valid = await hasher.verify(auth.user.passwordHash, currentPassword);
      if (!valid) {
        // 400, not 401: the caller's token is fine, and a 401 would make clients log out.
        throw new SigilError('invalid_request', 'The current password is incorrect', {
          errors: [{ path: 'current_password', message: 'incorrect password' }],
        });
      }
      const passwordHash = await hasher.hash(newPassword);
      await db.transaction(async (tx) => {
        await users.updatePasswordHash(tx, auth.user.id, passwordHash, now());
        await sessions.revokeUserSessions(tx, auth.user.id, 'password_changed', now(), auth.session.id);
      });
      logger.info({ event: 'password_changed', userId: auth.user.id }, 'password changed; other sessions revoked');
    },

    /** Disables or enables an account; disabling ends all of its sessions. */
    async setUserDisabled(userId: string, disabled: boolean): Promise<boolean> {
      return db.transaction(async (tx) => {
        const found = await users.setUserDisabled(tx, userId, disabled, now());
        if (found && disabled) await sessions.revokeUserSessions(tx, userId, 'user_disabled', now());
        return found;
      });
    },

    async cleanupExpiredSessions(): Promise<number> {
      return sessions.deleteExpiredSessions(db, now(), 86_400);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
