import type { MailTemplate } from '../mail/outbox.ts';
import type { Queryable } from './database.ts';

export type MailStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** A row of `mail_outbox` as the worker, the CLI and the dev mailbox read it. */
export interface OutboxRecord {
  id: string;
  template: MailTemplate;
  recipient: string;
  /** The template's fields; `{}` once a mail was delivered (its link carried a bearer token). */
  data: Record<string, unknown>;
  status: MailStatus;
  /** Sends started: counted when a worker claims the row, so a crash mid-send counts too. */
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  messageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  /** When a resolver filled `data` (null: not resolved yet, or its template has no resolver). */
  resolvedAt: Date | null;
}

interface OutboxRow {
  id: string;
  template: MailTemplate;
  recipient: string;
  data: Record<string, unknown> | string;
  status: MailStatus;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  resolved_at: Date | null;
}

const COLUMNS =
  'id, template, recipient, data, status, attempts, next_attempt_at, lease_until, last_error, message_id, created_at, sent_at, resolved_at';

const date = (value: Date | string) => new Date(value);

function toRecord(row: OutboxRow): OutboxRecord {
  return {
    id: row.id,
    template: row.template,
    recipient: row.recipient,
    data: typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: date(row.next_attempt_at),
    leaseUntil: row.lease_until ? date(row.lease_until) : null,
    lastError: row.last_error,
    messageId: row.message_id,
    createdAt: date(row.created_at),
    sentAt: row.sent_at ? date(row.sent_at) : null,
    resolvedAt: row.resolved_at ? date(row.resolved_at) : null,
  };
}

/**
 * Claims up to `limit` due mails for one worker: pending, due, and not leased by another worker
 * (or leased by one that stopped answering). `FOR UPDATE SKIP LOCKED` lets workers on several
 * instances claim at the same moment without waiting on or taking each other's rows; the lease
 * then keeps the rows theirs after this transaction commits, while they send. Each claim counts
 * as an attempt. Call it inside a transaction.
 */
export async function claimDueMail(tx: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRecord[]> {
  const rows = await tx.query<OutboxRow>(
    `SELECT id FROM mail_outbox
     WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
     ORDER BY next_attempt_at
     LIMIT $2
     FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  if (rows.length === 0) return [];
  const claimed = await tx.query<OutboxRow>(
    `UPDATE mail_outbox SET lease_until = $2, attempts = attempts + 1
     WHERE id = ANY($1::uuid[]) RETURNING ${COLUMNS}`,
    [rows.map((row) => row.id), leaseUntil],
  );
  return claimed.map(toRecord).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

/** Stores a resolver's result as a claimed row's data, inside the claim transaction. */
export async function storeResolvedMailData(tx: Queryable, id: string, data: unknown, now: Date): Promise<void> {
  await tx.query('UPDATE mail_outbox SET data = $2, resolved_at = $3 WHERE id = $1', [id, JSON.stringify(data), now]);
}

/** A resolver found nothing to send: the row is done, with nothing sent. */
export async function markMailSkipped(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE mail_outbox SET status = 'skipped', data = '{}', lease_until = NULL, last_error = NULL, sent_at = NULL, next_attempt_at = $2
     WHERE id = $1`,
    [id, now],
  );
}

/**
 * Records a delivery. With `redact` the data goes: the mail is out, and a verification or reset
 * link is a bearer token that must not linger in the table.
 */
export async function markMailSent(db: Queryable, id: string, messageId: string, now: Date, redact: boolean): Promise<void> {
  await db.query(
    `UPDATE mail_outbox
     SET status = 'sent', sent_at = $2, message_id = $3, lease_until = NULL, last_error = NULL,
         data = CASE WHEN $4::boolean THEN '{}'::jsonb ELSE data END
     WHERE id = $1 AND status = 'pending'`,
    [id, now, messageId, redact],
  );
}

/**
 * Deletes sent and skipped mail finished more than `retentionSeconds` ago; returns how many. Dead
 * mail stays until someone retries it (`sigil mail retry`): it is the only record of a lost mail.
 */
export async function deleteFinishedMail(db: Queryable, now: Date, retentionSeconds: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionSeconds * 1000);
  const rows = await db.query(
    `DELETE FROM mail_outbox
     WHERE status IN ('sent', 'skipped') AND COALESCE(sent_at, next_attempt_at) < $1
     RETURNING id`,
    [cutoff],
  );
  return rows.length;
}

/**
 * A failed attempt: due again at `nextAttemptAt`, or dead (`failed`) when `dead`. Only the
 * worker that made `attempt` records it: one whose lease ran out must not release the row while
 * another worker holds it.
 */
export async function markMailAttemptFailed(
  db: Queryable,
  id: string,
  failure: { attempt: number; error: string; nextAttemptAt: Date; dead: boolean },
): Promise<void> {
  await db.query(
    `UPDATE mail_outbox
     SET status = CASE WHEN $4::boolean THEN 'failed' ELSE status END, last_error = $2, next_attempt_at = $3, lease_until = NULL
     WHERE id = $1 AND status = 'pending' AND attempts = $5`,
    [id, failure.error, failure.nextAttemptAt, failure.dead, failure.attempt],
  );
}

export interface MailListFilter {
  /** Only these statuses (all when empty or unset). */
  statuses?: readonly MailStatus[];
  /** @default 50 */
  limit?: number;
}

/** The newest mails first. */
export async function listMail(db: Queryable, filter: MailListFilter = {}): Promise<OutboxRecord[]> {
  const statuses = filter.statuses?.length ? [...filter.statuses] : null;
  const rows = await db.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM mail_outbox
     WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
     ORDER BY created_at DESC, id
     LIMIT $2`,
    [statuses, filter.limit ?? 50],
  );
  return rows.map(toRecord);
}

export async function findMail(db: Queryable, id: string): Promise<OutboxRecord | undefined> {
  const rows = await db.query<OutboxRow>(`SELECT ${COLUMNS} FROM mail_outbox WHERE id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * A dead mail back to pending, due now, with its attempts reset and to be resolved again (a
 * fresh reset link rather than one that expired while the mail was dead). False when it was not
 * failed.
 */
export async function requeueFailedMail(db: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL, resolved_at = NULL
     WHERE id = $1 AND status = 'failed' RETURNING id`,
    [id, now],
  );
  return rows.length > 0;
}
