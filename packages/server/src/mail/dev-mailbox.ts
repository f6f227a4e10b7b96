import type { Logger } from '../logger.ts';
import type { MailMessage, MailTransport } from './transport.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * True for `http://localhost`, `http://127.0.0.1` and `http://[::1]` on any port: an issuer only
 * its own machine reaches. Only then does a server without SMTP show its mail in the dev mailbox,
 * since the mailbox shows reset links to whoever can open it.
 */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * The development "transport": nothing leaves the machine. Each mail becomes one log line at
 * `warn` (so `npm start`'s quieter log level still shows it) with the recipient, subject and
 * links; the worker keeps the mail's data in the outbox, where `GET /dev/mailbox` renders it.
 */
export function createDevMailboxTransport(logger: Logger, mailboxUrl: () => string): MailTransport {
  return {
    description: 'the development mailbox',
    async send(message: MailMessage) {
      const links = message.links.length ? ` ${message.links.join(' ')}` : '';
      logger.warn(
        { event: 'dev_mail', to: message.to, subject: message.subject, links: message.links, mailbox: mailboxUrl() },
        `dev mailbox: "${message.subject}" to ${message.to}${links} (all mail: ${mailboxUrl()})`,
      );
    },
    async close() {},
  };
}
