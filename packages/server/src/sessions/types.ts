import type { Config } from '../config.ts';
import type { KeyManager } from '../keys/index.ts';
import type { Logger } from '../logger.ts';
import type { PasswordHasher } from '../passwords/hashing.ts';
import type { RateLimits } from '../rate-limit/limits.ts';
import type { Database } from '../storage/index.ts';
import type { SessionRecord } from '../storage/sessions.ts';
import type { UserRecord } from '../storage/users.ts';
import type { AccessTokenClaims } from '../tokens/access-token.ts';

/**
 * What clients may see of a user: never a password hash.
 *
 * @example
 * res.json({ user: toPublicUser(callerOf(req).user) });
 */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  /** Whether the address was proven (docs/server.md, "Account lifecycle"). */
  email_verified: boolean;
}

/**
 * What management code (the CLI, an admin tool) sees of an account: the public fields plus its
 * status. Never a password hash.
 *
 * @example
 * const account = await auth.service.findUserByEmail('ada@example.com');
 * if (account?.disabled) console.log(`${account.email} is disabled`);
 */
export interface UserAccount extends PublicUser {
  disabled: boolean;
  createdAt: Date;
}

/**
 * The tokens of a session just started or refreshed (the TokenResponse of docs/server.md).
 *
 * @example
 * const { accessToken, refreshToken, user } = await service.login({ email, password }, meta);
 */
export interface TokenBundle {
  accessToken: string;
  expiresIn: number;
  expiresAt: number;
  refreshToken: string;
  sessionId: string;
  user: PublicUser;
}

/**
 * What the service knows of the request behind a call: the client IP keys the brute-force
 * limits, the User-Agent labels the session, the binding ties a login's second step to the
 * client that took its first.
 *
 * @example
 * const meta: RequestMeta = { ip: req.ip ?? 'unknown', userAgent: req.headers['user-agent'] ?? null };
 */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  /**
   * Identifies the client across the two steps of a login with a second factor: an mfa token is
   * accepted only with the binding it was issued to (docs/architecture.md, "Second factors"). The
   * HTTP layer sets it (`http/client-binding.ts`); code that calls the service itself may leave
   * it out, and must then leave it out on both steps.
   */
  binding?: string;
}

/**
 * A verified access token with its active session and user.
 *
 * @example
 * const caller = await service.authenticate(token);
 * caller.user.roles.includes('admin');
 */
export interface Authenticated {
  claims: AccessTokenClaims;
  user: UserRecord;
  session: SessionRecord;
}

/**
 * One active session as `GET /auth/sessions` lists it.
 *
 * @example
 * const current = (await service.listSessions(caller)).find((s) => s.current);
 */
export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  current: boolean;
}

/**
 * What the auth service is built from (createAuthServer wires them).
 *
 * @example
 * const service = createAuthService({ db, config, keys, hasher, limits, logger, now, issuer: () => issuer });
 */
export interface AuthServiceDeps {
  db: Database;
  config: Config;
  keys: KeyManager;
  hasher: PasswordHasher;
  /** Brute-force bookkeeping of password checks (login, hosted login, password change). */
  limits: RateLimits;
  logger: Logger;
  now: () => Date;
  /** The issuer in force (it may be fixed only once the server listens on a random port). */
  issuer: () => string;
  /** Told after a transaction that queued mail commits, so the delivery worker need not wait for its next poll. */
  mailQueued?: () => void;
}

/**
 * A user record without its password hash.
 *
 * @example
 * toPublicUser(await users.findUserById(db, id)); // { id, email, name, roles, email_verified }
 */
export function toPublicUser(user: UserRecord): PublicUser {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, email_verified: user.emailVerified };
}

/**
 * A user record as management code sees it.
 *
 * @example
 * (await users.listUsers(db)).map(toUserAccount);
 */
export function toUserAccount(user: UserRecord): UserAccount {
  return { ...toPublicUser(user), disabled: user.disabled, createdAt: user.createdAt };
}
