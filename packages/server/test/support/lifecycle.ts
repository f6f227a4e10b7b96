/**
 * An auth server that delivers its mail to a real SMTP sink on loopback, for the account
 * lifecycle tests: links and tokens are read from the mails as a user would read them.
 *
 * @example
 * const { t, mailbox } = await startMailingServer();
 * await request(`${t.url}/auth/password/forgot`, { body: { email } });
 * const token = tokenOf(await mailbox.next(email, 'password/reset'));
 */
import type { AuthServerOptions } from '../../src/index.ts';
import type { Queryable } from '../../src/storage/database.ts';
import { startTestServer, type TestServer } from '../helpers/auth-server.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.ts';

/** Mail settings that keep tests quick: poll every second, retry after a second. */
export const FAST_MAIL = { mailPollInterval: 1, mailRetryBase: 1, mailRetryMax: 2, mailSendTimeout: 5 } as const;

export interface Mailbox {
  readonly sink: SmtpSink;
  /**
   * Waits for the next mail to `to` not returned before (whose text has a link containing
   * `linkPart`, when given) and returns it.
   */
  next(to: string, linkPart?: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every mail `to` received so far. */
  all(to: string): ReceivedMail[];
}

export interface MailingServer {
  t: TestServer;
  mailbox: Mailbox;
  close(): Promise<void>;
}

export function createMailbox(sink: SmtpSink): Mailbox {
  const seen = new Set<ReceivedMail>();
  return {
    sink,
    async next(to, linkPart, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = sink.mails.find(
          (m) => !seen.has(m) && m.to.includes(to) && (linkPart === undefined || m.links.some((link) => link.includes(linkPart))),
        );
        if (mail) {
          seen.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no new mail to ${to}${linkPart ? ` with a ${linkPart} link` : ''}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    all: (to) => sink.mails.filter((m) => m.to.includes(to)),
  };
}

export async function startMailingServer(options: AuthServerOptions = {}): Promise<MailingServer> {
  const sink = await startSmtpSink();
  const t = await startTestServer({ ...FAST_MAIL, smtpUrl: sink.url, ...options });
  return {
    t,
    mailbox: createMailbox(sink),
    async close() {
      await t.close();
      await sink.close();
    },
  };
}

/** The first link of a mail that contains `part`. */
export function linkOf(mail: ReceivedMail, part: string): URL {
  const link = mail.links.find((l) => l.includes(part));
  if (!link) throw new Error(`no ${part} link in mail "${mail.subject}": ${mail.links.join(', ')}`);
  return new URL(link);
}

/** The `token` of a mail's verify or reset link. */
export function tokenOf(mail: ReceivedMail): string {
  const link = mail.links.find((l) => /\/(email\/verify|password\/reset)\?token=/.test(l));
  if (!link) throw new Error(`no link token in mail "${mail.subject}"`);
  return new URL(link).searchParams.get('token')!;
}

/** Outbox rows for a recipient (template and status), oldest first. */
export async function outboxOf(db: Queryable, to: string): Promise<Array<{ template: string; status: string }>> {
  return db.query('SELECT template, status FROM mail_outbox WHERE recipient = $1 ORDER BY created_at, id', [to]);
}

/** Polls `probe` until it holds. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
