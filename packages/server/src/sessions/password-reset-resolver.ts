import type { MailData } from '../mail/outbox.ts';
import type { Queryable } from '../storage/database.ts';
import * as users from '../storage/users.ts';
import { createAccountMail } from './account-mail.ts';
import type { AuthServiceDeps } from './types.ts';

/** What the delivery worker calls once for a queued `password_reset` mail, in its own transaction. */
export type PasswordResetResolver = (
  tx: Queryable,
  data: MailData['password_reset'],
  now: Date,
) => Promise<MailData['password_reset'] | undefined>;

/** Case-folds ASCII only: `K` and `k` are one mailbox, the Kelvin sign `K` (U+212A) is not a `k`. */
function asciiLower(value: string): string {
  return value.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Resolves a forgotten-password mail in the delivery worker (docs/architecture.md, "Account
 * lifecycle"): for an account with that address that is not disabled, it creates the reset token
 * (in the worker's transaction, with the row it marks) and returns the data with the `link`;
 * for any other address it returns undefined and the worker skips the mail. `POST
 * /auth/password/forgot` only queued `{email}`, so its answer cannot depend on the account.
 *
 * The mail goes to the address that was typed. Accounts are found case-insensitively (Unicode
 * lower case), so the address must also equal the account's own under ASCII case folding:
 * otherwise a look-alike such as `\u212Aelly@example.com` would find kelly@example.com's account
 * and receive her reset link.
 *
 * @example
 * const resolvers = { password_reset: createPasswordResetResolver({ config, issuer: () => issuer }) };
 */
export function createPasswordResetResolver(deps: Pick<AuthServiceDeps, 'config' | 'issuer'>): PasswordResetResolver {
  const mail = createAccountMail(deps);
  return async (tx, data, now) => {
    const user = await users.findUserByEmail(tx, data.email);
    if (!user || user.disabled || asciiLower(user.email) !== asciiLower(data.email)) return undefined;
    return { email: data.email, link: await mail.resetLink(tx, user.id, user.email, now) };
  };
}
