import { SigilError } from '../errors.ts';
import { voidAccountTokens } from '../storage/account-tokens.ts';
import { UniqueViolationError, type Queryable } from '../storage/index.ts';
import { voidMfaChallenges } from '../storage/mfa-challenges.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import { withMail, type AccountMail } from './account-mail.ts';
import { confirmPassword } from './confirm-password.ts';
import type { LoginAttempts } from './login-attempts.ts';
import { toUserAccount, type Authenticated, type AuthServiceDeps, type RequestMeta, type UserAccount } from './types.ts';

/** Users are read in pages of this size when listing every one of them. */
const LIST_PAGE = 500;

/** What a new account is made of; the password is hashed before anything is stored. */
export interface NewAccount {
  email: string;
  password: string;
  name?: string | null;
  roles?: string[];
  /** Created with a proven address (seeded demo accounts, management code). @default false */
  emailVerified?: boolean;
}

/**
 * Account use cases: creating, finding, listing, disabling users, and changing a password.
 *
 * @example
 * const accounts = createAccounts(deps, attempts);
 * const ada = await accounts.findUserByEmail('ada@example.com');
 * if (ada) await accounts.setUserDisabled(ada.id, true);
 */
export interface Accounts {
  /**
   * Hashes the password and stores the user; throws `email_taken` when the email is in use.
   * `within` runs in the same transaction as the insert (signup queues its verification mail there).
   */
  createUser(input: NewAccount, within?: (tx: Queryable, user: users.UserRecord) => Promise<void>): Promise<users.UserRecord>;
  /** The account with this email (compared case-insensitively), or undefined. */
  findUserByEmail(email: string): Promise<UserAccount | undefined>;
  /** Every account, oldest first. */
  listUsers(): Promise<UserAccount[]>;
  /** Whether any account exists (a fresh install has none). */
  hasUsers(): Promise<boolean>;
  /** Disables or enables an account; disabling ends all of its sessions. False when there is no such user. */
  setUserDisabled(userId: string, disabled: boolean): Promise<boolean>;
  /**
   * Changes the caller's password, revokes their other sessions, voids every link token mailed
   * before and mails a `password_changed` notice. A wrong current password is 400
   * `invalid_request` and counts as a failed login (see `confirmPassword`).
   */
  changePassword(auth: Authenticated, currentPassword: string, newPassword: string, meta: RequestMeta): Promise<void>;
}

export function createAccounts(
  deps: Pick<AuthServiceDeps, 'db' | 'hasher' | 'logger' | 'now' | 'mailQueued'>,
  attempts: LoginAttempts,
  mail: AccountMail,
): Accounts {
  const { db, hasher, logger, now } = deps;

  return {
    async createUser(input, within) {
      const passwordHash = await hasher.hash(input.password);
      const account = {
        email: input.email,
        name: input.name ?? null,
        roles: input.roles ?? [],
        passwordHash,
        emailVerified: input.emailVerified ?? false,
      };
      try {
        if (!within) return await users.insertUser(db, account, now());
        return await withMail(deps, async (tx) => {
          const user = await users.insertUser(tx, account, now());
          await within(tx, user);
          return user;
        });
      } catch (error) {
        if (error instanceof UniqueViolationError) throw new SigilError('email_taken', 'An account with this email already exists');
        throw error;
      }
    },

    async findUserByEmail(email) {
      const user = await users.findUserByEmail(db, email);
      return user && toUserAccount(user);
    },

    async listUsers() {
      const all: UserAccount[] = [];
      for (let offset = 0; ; offset += LIST_PAGE) {
        const page = await users.listUsers(db, { limit: LIST_PAGE, offset });
        all.push(...page.map(toUserAccount));
        if (page.length < LIST_PAGE) return all;
      }
    },

    async hasUsers() {
      return (await users.listUsers(db, { limit: 1 })).length > 0;
    },

    async setUserDisabled(userId, disabled) {
      return db.transaction(async (tx) => {
        const found = await users.setUserDisabled(tx, userId, disabled, now());
        if (found && disabled) await sessions.revokeUserSessions(tx, userId, 'user_disabled', now());
        return found;
      });
    },

    async changePassword(auth, currentPassword, newPassword, meta) {
      await confirmPassword({ hasher, attempts }, auth, currentPassword, meta, 'current_password');
      const passwordHash = await hasher.hash(newPassword);
      await withMail(deps, async (tx) => {
        const at = now();
        await users.updatePasswordHash(tx, auth.user.id, passwordHash, at);
        await sessions.revokeUserSessions(tx, auth.user.id, 'password_changed', at, auth.session.id);
        await voidAccountTokens(tx, auth.user.id);
        // A login halfway through its second step passed the old password: it must start again.
        await voidMfaChallenges(tx, auth.user.id, at);
        await mail.queueNotice(tx, auth.user.email, 'password_changed', at);
      });
      logger.info({ event: 'password_changed', userId: auth.user.id }, 'password changed; other sessions revoked');
    },
  };
}
