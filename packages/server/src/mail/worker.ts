import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database, Queryable } from '../storage/database.ts';
import {
  claimDueMail,
  markMailAttemptFailed,
  markMailSent,
  markMailSkipped,
  storeResolvedMailData,
  type OutboxRecord,
} from '../storage/mail-outbox.ts';
import { retryDelayMs } from './backoff.ts';
import type { MailData, MailTemplate } from './outbox.ts';
import type { MailResolver, MailResolvers } from './resolvers.ts';
import { MailRenderError, renderMail } from './templates.ts';
import type { MailTransport } from './transport.ts';

export type MailWorkerConfig = Pick<
  Config,
  | 'issuer'
  | 'mailFrom'
  | 'productName'
  | 'mailSubjects'
  | 'mailMaxAttempts'
  | 'mailRetryBase'
  | 'mailRetryMax'
  | 'mailSendTimeout'
  | 'mailPollInterval'
>;

export interface MailWorkerOptions {
  db: Database;
  transport: MailTransport;
  logger: Logger;
  config: MailWorkerConfig;
  /**
   * The issuer in force: its host names every Message-ID (`<outbox-id@host>`).
   * @default () => config.issuer
   */
  issuer?: () => string;
  /** @default () => new Date() */
  now?: () => Date;
  /** Completes mails before their first send (resolvers.ts). @default {} */
  resolvers?: MailResolvers;
  /**
   * Empty a mail's data once it is sent, so no delivered link (a bearer token) stays in the
   * table. The development mailbox keeps it: it renders mails from their data. @default true
   */
  redact?: boolean;
  /** Mails one worker claims and sends at once. @default 4 */
  batchSize?: number;
}

/** What one pass over the outbox did. */
export interface MailRunSummary {
  claimed: number;
  sent: number;
  /** Failed attempts that will be tried again. */
  retried: number;
  /** Mails that failed for good in this pass. */
  failed: number;
  /** Mails a resolver found nothing to send for. */
  skipped: number;
}

/**
 * The outbox's delivery worker (docs/architecture.md, "Mail").
 *
 * @example
 * const worker = createMailWorker({ db, transport, logger, config });
 * worker.start();
 * // ...
 * await worker.stop(); // waits for the sends in flight
 */
export interface MailWorker {
  /** Polls the outbox every `mailPollInterval` (at once again while a pass finds a full batch). */
  start(): void;
  /** Stops polling and resolves once the sends in flight have finished and been recorded. */
  stop(): Promise<void>;
  /** One pass: claim what is due, resolve, send, record. Tests call it directly. */
  runOnce(): Promise<MailRunSummary>;
  /** Looks for due mail now instead of at the next poll (after queueing one, say). */
  wake(): void;
}

interface Claimed {
  row: OutboxRecord;
  /** Set when resolving failed: counted as the attempt, nothing sent. */
  resolveError?: unknown;
}

// SMTP replies can be long; the table and the logs keep the start of one line.
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500) || 'unknown error';
}

/**
 * Creates a delivery worker. Mail is delivered at least once and, short of a crash between the
 * SMTP server's acceptance and the worker recording it, exactly once: a row is claimed under a
 * lease in a short transaction (`FOR UPDATE SKIP LOCKED`, so workers on several instances never
 * claim the same row), sent outside any transaction, then marked sent. A resend after such a
 * crash carries the same Message-ID, derived from the row's id.
 */
export function createMailWorker(options: MailWorkerOptions): MailWorker {
  const { db, transport, logger, config } = options;
  const issuer = options.issuer ?? (() => config.issuer);
  const now = options.now ?? (() => new Date());
  const resolvers = options.resolvers ?? {};
  const redact = options.redact ?? true;
  const batchSize = options.batchSize ?? 4;
  const sendTimeoutMs = config.mailSendTimeout * 1000;
  // Longer than any send (bounded by the send timeout) plus recording it: a lease that ran out
  // under a live worker would let a second one send the same mail.
  const leaseMs = 2 * sendTimeoutMs + 10_000;
  const settings = { productName: config.productName, subjects: config.mailSubjects };

  const resolve = async (tx: Queryable, row: OutboxRecord, at: Date): Promise<Claimed | undefined> => {
    const resolver = resolvers[row.template] as MailResolver<MailTemplate> | undefined;
    if (!resolver || row.resolvedAt) return { row };
    // A savepoint per row: a failing resolver undoes only its own work, not the batch's claim.
    await tx.query('SAVEPOINT sigil_mail_resolve');
    try {
      const data = await resolver(tx, row.data as unknown as MailData[MailTemplate], at);
      await tx.query('RELEASE SAVEPOINT sigil_mail_resolve');
      if (data === undefined) {
        await markMailSkipped(tx, row.id, at);
        logger.info({ event: 'mail_skipped', mail_id: row.id, template: row.template }, 'mail skipped: nothing to send');
        return undefined;
      }
      await storeResolvedMailData(tx, row.id, data, at);
      return { row: { ...row, data: data as unknown as Record<string, unknown>, resolvedAt: at } };
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT sigil_mail_resolve');
      return { row, resolveError: error };
    }
  };

  const claim = async (): Promise<{ claimed: Claimed[]; total: number; skipped: number }> => {
    const at = now();
    return db.transaction(async (tx) => {
      const rows = await claimDueMail(tx, at, new Date(at.getTime() + leaseMs), batchSize);
      const claimed: Claimed[] = [];
      for (const row of rows) {
        const result = await resolve(tx, row, at);
        if (result) claimed.push(result);
      }
      return { claimed, total: rows.length, skipped: rows.length - claimed.length };
    });
  };

  const recordFailure = async (row: OutboxRecord, error: unknown, permanent: boolean): Promise<'retried' | 'failed'> => {
    const dead = permanent || row.attempts >= config.mailMaxAttempts;
    const reason = describeFailure(error);
    const at = now();
    const nextAttemptAt = dead
      ? at
      : new Date(at.getTime() + retryDelayMs(row.attempts, config.mailRetryBase * 1000, config.mailRetryMax * 1000));
    await markMailAttemptFailed(db, row.id, { attempt: row.attempts, error: reason, nextAttemptAt, dead });
    const fields = { mail_id: row.id, template: row.template, attempts: row.attempts, err: { message: reason } };
    if (dead) {
      logger.error(
        { event: 'mail_failed', ...fields },
        `mail ${row.id} failed for good after ${row.attempts} attempt(s): sigil mail retry ${row.id} queues it again`,
      );
      return 'failed';
    }
    logger.warn({ event: 'mail_retry', ...fields, next_attempt_at: nextAttemptAt.toISOString() }, 'mail not delivered; will retry');
    return 'retried';
  };

  const deliver = async ({ row, resolveError }: Claimed): Promise<'sent' | 'retried' | 'failed'> => {
    if (resolveError !== undefined) return recordFailure(row, resolveError, false);
    let rendered;
    try {
      rendered = renderMail(row.template, row.data as unknown as MailData[MailTemplate], settings);
    } catch (error) {
      // Sending it again would fail the same way: dead at once, and said so.
      return recordFailure(row, error, error instanceof MailRenderError);
    }
    const messageId = `<${row.id}@${new URL(issuer()).hostname}>`;
    try {
      await transport.send({ messageId, from: config.mailFrom, to: row.recipient, ...rendered });
    } catch (error) {
      return recordFailure(row, error, false);
    }
    try {
      await markMailSent(db, row.id, messageId, now(), redact);
    } catch (error) {
      // The lease runs out and the mail goes again, under the same Message-ID.
      logger.warn(
        { event: 'mail_unrecorded', mail_id: row.id, err: { message: describeFailure(error) } },
        'mail sent but not recorded; it will be sent again with the same Message-ID',
      );
    }
    logger.info({ event: 'mail_sent', mail_id: row.id, template: row.template, attempts: row.attempts }, 'mail sent');
    return 'sent';
  };

  const inFlight = new Set<Promise<MailRunSummary>>();
  const runOnce = (): Promise<MailRunSummary> => {
    const pass = (async () => {
      const { claimed, total, skipped } = await claim();
      const summary: MailRunSummary = { claimed: total, sent: 0, retried: 0, failed: 0, skipped };
      const outcomes = await Promise.allSettled(claimed.map(deliver));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') summary[outcome.value]++;
        // Recording the failure failed (storage down): the lease runs out and the mail is retried.
        else logger.warn({ event: 'mail_unrecorded', err: { message: describeFailure(outcome.reason) } }, 'mail attempt not recorded');
      }
      return summary;
    })();
    inFlight.add(pass);
    void pass.finally(() => inFlight.delete(pass)).catch(() => {});
    return pass;
  };

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const poll = async () => {
    let outage = false;
    while (running) {
      let full = false;
      try {
        const summary = await runOnce();
        full = summary.claimed === batchSize;
        if (outage) logger.info({ event: 'mail_worker_recovered' }, 'mail worker reaches storage again');
        outage = false;
      } catch (error) {
        // One line per outage, not one per poll.
        if (!outage)
          logger.warn({ event: 'mail_worker_error', err: { message: describeFailure(error) } }, 'mail worker cannot reach storage');
        outage = true;
      }
      if (running && !full) await sleep(config.mailPollInterval * 1000);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = poll();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
    runOnce,
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
