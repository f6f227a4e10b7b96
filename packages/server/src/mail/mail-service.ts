import { SigilError } from '../errors.ts';
import type { Database } from '../storage/database.ts';
import { findMail, listMail, requeueFailedMail, type MailListFilter, type MailStatus } from '../storage/mail-outbox.ts';
import { enqueueMail, type MailTemplate, type OutboxMail } from './outbox.ts';

/** A queued or delivered mail as operators see it: no data, so no link or token. */
export interface MailEntry {
  id: string;
  template: MailTemplate;
  to: string;
  status: MailStatus;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  messageId: string | null;
}

/**
 * The outbox's use cases for the CLI, tests and the account lifecycle (`sigil mail list|retry`).
 *
 * @example
 * await auth.mail.enqueue({ to: 'ada@example.com', template: 'password_changed', data: {} });
 * const dead = await auth.mail.list({ statuses: ['failed'] });
 * await auth.mail.retry(dead[0].id);
 */
export interface MailService {
  /** Queues a mail in a transaction of its own (a caller with its own uses `enqueueMail(tx, ...)`). */
  enqueue<T extends MailTemplate>(mail: OutboxMail<T>): Promise<string>;
  /** The newest mails first (50 unless `limit` says otherwise). */
  list(filter?: MailListFilter): Promise<MailEntry[]>;
  /**
   * Queues a failed (dead) mail again, due now with its attempts reset. Throws `SigilError`
   * `not_found` for an unknown id and `invalid_request` for a mail that is not failed.
   */
  retry(id: string): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createMailService(options: { db: Database; now: () => Date; wake: () => void }): MailService {
  const { db, now, wake } = options;
  return {
    async enqueue(mail) {
      const id = await enqueueMail(db, mail, now());
      wake();
      return id;
    },
    async list(filter = {}) {
      const rows = await listMail(db, filter);
      return rows.map((row) => ({
        id: row.id,
        template: row.template,
        to: row.recipient,
        status: row.status,
        attempts: row.attempts,
        createdAt: row.createdAt,
        nextAttemptAt: row.nextAttemptAt,
        sentAt: row.sentAt,
        lastError: row.lastError,
        messageId: row.messageId,
      }));
    },
    async retry(id) {
      // Not a uuid cannot be a mail (and would make PostgreSQL refuse the query).
      const mail = UUID.test(id) ? await findMail(db, id) : undefined;
      if (!mail) throw new SigilError('not_found', `No mail with id ${id}`);
      if (!(await requeueFailedMail(db, id, now()))) {
        throw new SigilError('invalid_request', `Mail ${id} is ${mail.status}, not failed: only failed mails can be retried`);
      }
      wake();
    },
  };
}
