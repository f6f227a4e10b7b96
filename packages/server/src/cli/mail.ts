import { Command, InvalidArgumentError } from 'commander';
import { SigilError } from '../errors.ts';
import type { MailEntry } from '../mail/mail-service.ts';
import type { MailStatus } from '../storage/mail-outbox.ts';
import { CliError, withAuthServer } from './context.ts';
import { formatDate, print, printJson, printTable } from './output.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  return n;
}

// Data (the links, with their tokens) is never part of an entry: nothing here can print it.
function mailJson(mail: MailEntry) {
  return {
    id: mail.id,
    template: mail.template,
    to: mail.to,
    status: mail.status,
    attempts: mail.attempts,
    created_at: mail.createdAt.toISOString(),
    next_attempt_at: mail.status === 'pending' ? mail.nextAttemptAt.toISOString() : null,
    sent_at: mail.sentAt?.toISOString() ?? null,
    message_id: mail.messageId,
    last_error: mail.lastError,
  };
}

/** `sigil mail list|retry`: the outbox, for operators (docs/server.md, "Mail"). */
export function mailCommand(): Command {
  const mail = new Command('mail').description('inspect the mail outbox and send failed mail again');

  mail
    .command('list')
    .description('list mail, newest first (never the links or tokens it carries)')
    .option('--failed', 'only mail that failed for good (dead)')
    .option('--pending', 'only mail waiting to be sent or retried')
    .option('--limit <n>', 'at most this many (default 50)', positiveInt)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { failed?: boolean; pending?: boolean; limit?: number; json?: boolean }) => {
      const statuses: MailStatus[] = [...(options.failed ? ['failed' as const] : []), ...(options.pending ? ['pending' as const] : [])];
      await withAuthServer(async (server) => {
        const mails = await server.mail.list({ statuses, limit: options.limit ?? 50 });
        if (options.json) return printJson(mails.map(mailJson));
        if (mails.length === 0) return print('No mail.');
        printTable(
          ['ID', 'TEMPLATE', 'TO', 'STATUS', 'ATTEMPTS', 'CREATED', 'SENT/NEXT', 'LAST ERROR'],
          mails.map((m) => [
            m.id,
            m.template,
            m.to,
            m.status,
            String(m.attempts),
            formatDate(m.createdAt),
            m.status === 'pending' ? `next ${formatDate(m.nextAttemptAt)}` : formatDate(m.sentAt),
            m.lastError && m.lastError.length > 60 ? `${m.lastError.slice(0, 57)}...` : m.lastError,
          ]),
        );
      });
    });

  mail
    .command('retry')
    .description('queue a failed mail again: due now, attempts reset')
    .argument('<id>', 'the mail id (from sigil mail list --failed)')
    .action(async (id: string) => {
      await withAuthServer(async (server) => {
        try {
          await server.mail.retry(id);
        } catch (error) {
          if (error instanceof SigilError && (error.code === 'not_found' || error.code === 'invalid_request'))
            throw new CliError(error.message);
          throw error;
        }
        print(`Mail ${id} queued again; a running server sends it within SIGIL_MAIL_POLL_INTERVAL.`);
      });
    });

  return mail;
}
