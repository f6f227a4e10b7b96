import { enqueueMail } from '../mail/outbox.ts';
import { createAccountToken, type AccountTokenPurpose } from '../storage/account-tokens.ts';
import type { Database, Queryable } from '../storage/database.ts';
import { accountLink } from './links.ts';
import type { AuthServiceDeps } from './types.ts';

/**
 * The mails of the account lifecycle, each written with the transaction `tx` that changes the
 * account (docs/architecture.md, "Account lifecycle"): the link token and the mail carrying it
 * commit together or not at all, so a 2xx means the mail goes out, even after `kill -9`.
 *
 * @example
 * const mail = createAccountMail(deps);
 * await db.transaction((tx) => mail.queueVerification(tx, user.id, user.email, 'verify_email', now()));
 */
export interface AccountMail {
  /**
   * A link that proves control of `email`: `verify_email` for the account's own address,
   * `email_change` for the address it moves to. Mailed to `email` with the verify template.
   */
  queueVerification(tx: Queryable, userId: string, email: string, purpose: 'verify_email' | 'email_change', now: Date): Promise<void>;
  /** A reset link for an account (the forgot-password resolver runs it in the delivery worker). */
  resetLink(tx: Queryable, userId: string, email: string, now: Date): Promise<string>;
  /** A notice that carries no link. */
  queueNotice(tx: Queryable, to: string, template: 'password_changed' | 'account_deleted', now: Date): Promise<void>;
  /** Tells the old address that a change to `newEmail` was asked for. */
  queueEmailChangedNotice(tx: Queryable, to: string, newEmail: string, now: Date): Promise<void>;
}

export function createAccountMail(deps: Pick<AuthServiceDeps, 'config' | 'issuer'>): AccountMail {
  const { config } = deps;
  const ttl: Record<AccountTokenPurpose, number> = {
    verify_email: config.verifyEmailTtl,
    email_change: config.verifyEmailTtl,
    password_reset: config.passwordResetTtl,
  };

  return {
    async queueVerification(tx, userId, email, purpose, now) {
      const token = await createAccountToken(tx, { userId, purpose, email, ttlSeconds: ttl[purpose] }, now);
      await enqueueMail(tx, { to: email, template: 'verify_email', data: { link: accountLink(deps, 'verify_email', token) } }, now);
    },

    async resetLink(tx, userId, email, now) {
      const token = await createAccountToken(tx, { userId, purpose: 'password_reset', email, ttlSeconds: ttl.password_reset }, now);
      return accountLink(deps, 'password_reset', token);
    },

    async queueNotice(tx, to, template, now) {
      await enqueueMail(tx, { to, template, data: {} }, now);
    },

    async queueEmailChangedNotice(tx, to, newEmail, now) {
      await enqueueMail(tx, { to, template: 'email_changed', data: { new_email: newEmail } }, now);
    },
  };
}

/**
 * Runs `fn` in a transaction of `deps.db` and, once it has committed, wakes the mail worker:
 * a mail queued by `fn` goes out at once instead of at the next poll.
 *
 * @example
 * await withMail(deps, (tx) => mail.queueNotice(tx, user.email, 'password_changed', now()));
 */
export async function withMail<T>(
  deps: { db: Database; mailQueued?: (() => void) | undefined },
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const result = await deps.db.transaction(fn);
  deps.mailQueued?.();
  return result;
}
