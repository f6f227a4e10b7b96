import { SigilError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { consumeAccountToken, findUsableAccountToken, voidAccountTokens } from '../storage/account-tokens.ts';
import { UniqueViolationError } from '../storage/index.ts';
import { voidMfaChallenges } from '../storage/mfa-challenges.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import { withMail, type AccountMail } from './account-mail.ts';
import { confirmPassword } from './confirm-password.ts';
import type { LoginAttempts } from './login-attempts.ts';
import { toPublicUser, type Authenticated, type AuthServiceDeps, type PublicUser, type RequestMeta } from './types.ts';

/**
 * The account lifecycle by email (docs/server.md, "Account lifecycle"): verifying an address,
 * forgotten passwords, changing the address, deleting the account. Every mail is queued in the
 * transaction that writes the token it carries; link tokens are single use, and void once the
 * password or the address changes.
 *
 * @example
 * const lifecycle = createAccountLifecycle(deps, attempts, mail);
 * await lifecycle.forgotPassword('ada@example.com', meta); // the same work whether or not she has an account
 */
export interface AccountLifecycle {
  /** Mails the caller a link that verifies their address; nothing when it is verified already. */
  requestEmailVerification(auth: Authenticated, meta: RequestMeta): Promise<void>;
  /**
   * Uses a `verify_email` link (the address is verified) or an `email_change` link (the account
   * moves to the new address, verified, and every other link token is void). 400 `invalid_grant`
   * for a wrong, used or expired token; 409 `email_taken` when the new address was taken since.
   */
  verifyEmail(token: string, meta: RequestMeta): Promise<PublicUser>;
  /**
   * Queues one `password_reset` mail for `email`, whether or not an account has it: the delivery
   * worker's resolver (`createPasswordResetResolver`) creates the link, or skips the mail. So the
   * answer, and the work behind it, are the same for every address. A spent per-address budget
   * drops the mail silently (answering 429 would tell that the address is in use); a spent per-IP
   * budget is 429 `rate_limited`.
   */
  forgotPassword(email: string, meta: RequestMeta): Promise<void>;
  /**
   * Sets a new password with a reset link: every session of the user is revoked, the address is
   * verified (the link reached it), other link tokens are void and a `password_changed` notice
   * is mailed. 400 `invalid_grant` for a wrong, used or expired token.
   */
  resetPassword(token: string, newPassword: string, meta: RequestMeta): Promise<void>;
  /**
   * Mails a confirmation link to `newEmail` and a notice to the current address; the account
   * moves only when the link is used. 409 `email_taken` when another account has `newEmail`.
   */
  requestEmailChange(auth: Authenticated, newEmail: string, password: string, meta: RequestMeta): Promise<void>;
  /** Erases the account (sessions and tokens with it) and mails an `account_deleted` notice. */
  deleteAccount(auth: Authenticated, password: string, meta: RequestMeta): Promise<void>;
  /**
   * `SIGIL_EMAIL_VERIFICATION=required`: a fresh link for an account whose right password was
   * just presented before it was verified. Over a mail budget it sends nothing (the login answers
   * 403 `email_not_verified` either way).
   */
  resendVerificationAtLogin(user: users.UserRecord, meta: RequestMeta): Promise<void>;
}

/** The one answer to every unusable link token: which of unknown, used or expired it was is nobody's business. */
function invalidLink(): SigilError {
  return new SigilError('invalid_grant', 'This link is invalid, was already used, or has expired', { status: 400 });
}

/** Whether a rejection is a spent rate-limit budget (and not, say, a storage outage). */
function isRateLimited(error: unknown): boolean {
  return error instanceof SigilError && error.code === 'rate_limited';
}

export function createAccountLifecycle(
  deps: Pick<AuthServiceDeps, 'db' | 'hasher' | 'limits' | 'logger' | 'now' | 'mailQueued'>,
  attempts: LoginAttempts,
  mail: AccountMail,
): AccountLifecycle {
  const { db, hasher, limits, logger, now } = deps;

  /** Runs `use`; a falsy outcome (or an invalid_grant it throws) counts as a failed link for this IP. */
  async function withLinkToken<T>(meta: RequestMeta, use: () => Promise<T | undefined>): Promise<T> {
    await limits.checkLinkFailures(meta.ip);
    const outcome = await use();
    if (outcome === undefined) {
      await limits.recordLinkFailure(meta.ip);
      throw invalidLink();
    }
    return outcome;
  }

  return {
    async requestEmailVerification(auth, meta) {
      if (auth.user.emailVerified) return;
      await limits.consumeMailIp(meta.ip);
      await limits.consumeMailEmail(auth.user.email);
      await withMail(deps, (tx) => mail.queueVerification(tx, auth.user.id, auth.user.email, 'verify_email', now()));
      logger.info({ event: 'email_verification_requested', userId: auth.user.id }, 'verification link queued');
    },

    async verifyEmail(token, meta) {
      const user = await withLinkToken(meta, () =>
        db.transaction(async (tx) => {
          const at = now();
          const record = await consumeAccountToken(tx, token, ['verify_email', 'email_change'], at);
          if (!record) return undefined;
          const owner = await users.findUserById(tx, record.userId);
          if (!owner || owner.disabled) return undefined;
          if (record.purpose === 'verify_email') {
            // A link for an address the account has left since proves nothing about the current one.
            if (users.normalizeEmail(record.email) !== users.normalizeEmail(owner.email)) return undefined;
            await users.markEmailVerified(tx, owner.id, at);
            return users.findUserById(tx, owner.id);
          }
          let moved: users.UserRecord | undefined;
          try {
            moved = await users.changeEmail(tx, owner.id, record.email, at);
          } catch (error) {
            // Rolled back with the transaction: the link stays usable should the address free up.
            if (error instanceof UniqueViolationError) throw new SigilError('email_taken', 'An account with this email already exists');
            throw error;
          }
          await voidAccountTokens(tx, owner.id);
          logger.info({ event: 'email_changed', userId: owner.id }, 'email address changed');
          return moved;
        }),
      );
      logger.info({ event: 'email_verified', userId: user.id }, 'email address verified');
      return toPublicUser(user);
    },

    async forgotPassword(email, meta) {
      await limits.consumeMailIp(meta.ip);
      try {
        await limits.consumeMailEmail(email);
      } catch (error) {
        if (isRateLimited(error)) return;
        throw error;
      }
      // No lookup here: the resolver decides in the delivery worker, so this path is the same
      // single insert for every address.
      await enqueueMail(db, { to: email, template: 'password_reset', data: { email } }, now());
      deps.mailQueued?.();
    },

    async resetPassword(token, newPassword, meta) {
      const user = await withLinkToken(meta, async () => {
        const record = await findUsableAccountToken(db, token, ['password_reset'], now());
        const owner = record && (await users.findUserById(db, record.userId));
        if (!record || !owner || owner.disabled) return undefined;
        return users.normalizeEmail(record.email) === users.normalizeEmail(owner.email) ? owner : undefined;
      });
      // Hashed only for a usable token, outside the transaction (it takes a hashing thread).
      const passwordHash = await hasher.hash(newPassword);
      await withLinkToken(meta, () =>
        withMail(deps, async (tx) => {
          const at = now();
          // Used up here, atomically: of two racing resets with one link, one wins.
          if (!(await consumeAccountToken(tx, token, ['password_reset'], at))) return undefined;
          await users.updatePasswordHash(tx, user.id, passwordHash, at);
          await users.markEmailVerified(tx, user.id, at);
          await sessions.revokeUserSessions(tx, user.id, 'password_reset', at);
          await voidAccountTokens(tx, user.id);
          // The second factors stay (a reset link proves the mailbox, not the authenticator), but
          // a login halfway through its second step passed the old password: it starts again.
          await voidMfaChallenges(tx, user.id, at);
          await mail.queueNotice(tx, user.email, 'password_changed', at);
          return true;
        }),
      );
      logger.info({ event: 'password_reset', userId: user.id }, 'password reset; every session revoked');
    },

    async requestEmailChange(auth, newEmail, password, meta) {
      await confirmPassword({ hasher, attempts }, auth, password, meta, 'password');
      if (users.normalizeEmail(newEmail) === users.normalizeEmail(auth.user.email)) {
        throw new SigilError('invalid_request', 'new_email: this is already the address of the account', {
          errors: [{ path: 'new_email', message: 'this is already the address of the account' }],
        });
      }
      if (await users.findUserByEmail(db, newEmail)) throw new SigilError('email_taken', 'An account with this email already exists');
      await limits.consumeMailIp(meta.ip);
      await limits.consumeMailEmail(auth.user.email);
      await limits.consumeMailEmail(newEmail);
      await withMail(deps, async (tx) => {
        const at = now();
        // One pending change at a time: the last address asked for is the one a link can confirm.
        await voidAccountTokens(tx, auth.user.id, ['email_change']);
        await mail.queueVerification(tx, auth.user.id, newEmail, 'email_change', at);
        await mail.queueEmailChangedNotice(tx, auth.user.email, newEmail, at);
      });
      logger.info({ event: 'email_change_requested', userId: auth.user.id }, 'email change link queued');
    },

    async deleteAccount(auth, password, meta) {
      await confirmPassword({ hasher, attempts }, auth, password, meta, 'password');
      await withMail(deps, async (tx) => {
        await mail.queueNotice(tx, auth.user.email, 'account_deleted', now());
        await users.deleteUser(tx, auth.user.id);
      });
      logger.info({ event: 'account_deleted', userId: auth.user.id }, 'account deleted');
    },

    async resendVerificationAtLogin(user, meta) {
      try {
        await limits.consumeMailIp(meta.ip);
        await limits.consumeMailEmail(user.email);
      } catch (error) {
        if (isRateLimited(error)) return;
        throw error;
      }
      await withMail(deps, (tx) => mail.queueVerification(tx, user.id, user.email, 'verify_email', now()));
    },
  };
}
