import { randomUUID } from 'node:crypto';
import type { Queryable } from '../storage/database.ts';

/**
 * The mails Sigil sends. Each has a text and an HTML template (mail/templates) and the fields in
 * `MailData` it needs; nothing else is rendered into a mail.
 */
export interface MailData {
  /** Link to confirm an address: `link`. */
  verify_email: { link: string };
  /**
   * A forgotten-password request: only the address it was made for. The delivery worker resolves
   * it (creates the link, or skips the row when no account has that address) so the request path
   * does the same work whether or not the address exists (docs/architecture.md, "Mail").
   */
  password_reset: { email: string; link?: string };
  /** Notice to the old address that a change to `new_email` was requested. */
  email_changed: { new_email: string };
  password_changed: Record<string, never>;
  account_deleted: Record<string, never>;
}

export type MailTemplate = keyof MailData;

export interface OutboxMail<T extends MailTemplate = MailTemplate> {
  to: string;
  template: T;
  data: MailData[T];
}

/**
 * Queues a mail. Call it with the transaction that writes the token the mail carries, so both
 * commit or neither does: a 202 means the mail will go out, even after `kill -9`.
 */
export async function enqueueMail<T extends MailTemplate>(db: Queryable, mail: OutboxMail<T>, now: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO mail_outbox (id, template, recipient, data, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $5)`,
    [id, mail.template, mail.to, JSON.stringify(mail.data), now],
  );
  return id;
}
