import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../storage/database.ts';
import { createDevMailboxTransport, isLoopbackOrigin } from './dev-mailbox.ts';
import type { MailResolvers } from './resolvers.ts';
import { createSmtpTransport, describeSmtpUrl } from './smtp-transport.ts';
import type { MailTransport } from './transport.ts';
import { createMailWorker, type MailWorker, type MailWorkerConfig } from './worker.ts';

/**
 * Where a server's mail goes: SMTP (`SIGIL_SMTP_URL`), the development mailbox (no SMTP and a
 * loopback issuer), a transport the embedding code passed (`custom`), or nowhere yet (`none`:
 * mails wait in the outbox until SMTP is configured).
 */
export type MailDeliveryMode = 'smtp' | 'dev-mailbox' | 'custom' | 'none';

export interface MailDeliveryOptions {
  db: Database;
  config: MailWorkerConfig & Pick<Config, 'smtpUrl'>;
  logger: Logger;
  now: () => Date;
  issuer: () => string;
  resolvers: MailResolvers;
  /** Replaces SMTP and the dev mailbox (tests, embedding code); the caller closes it. */
  transport?: MailTransport;
}

/** A server's mail delivery: which transport, and the worker that runs while the server listens. */
export interface MailDelivery {
  mode(): MailDeliveryMode;
  /** Where mail goes, for startup lines (an SMTP URL without its password). */
  description(): string;
  /** The running worker, from `start()` until `stop()`; undefined when mail goes nowhere. */
  readonly worker: MailWorker | undefined;
  /** Picks the transport for the issuer in force and starts the worker (the server calls it on listen). */
  start(): void;
  /** Stops the worker (its sends in flight finish) and closes the transport. */
  stop(): Promise<void>;
}

export function createMailDelivery(options: MailDeliveryOptions): MailDelivery {
  const { config, logger, issuer } = options;
  const mode = (): MailDeliveryMode =>
    options.transport ? 'custom' : config.smtpUrl ? 'smtp' : isLoopbackOrigin(issuer()) ? 'dev-mailbox' : 'none';
  const mailboxUrl = () => `${issuer()}/dev/mailbox`;
  let worker: MailWorker | undefined;
  let transport: MailTransport | undefined;

  const describe = (): string => {
    switch (mode()) {
      case 'smtp':
        return describeSmtpUrl(config.smtpUrl!);
      case 'dev-mailbox':
        return `the development mailbox ${mailboxUrl()} (no SIGIL_SMTP_URL)`;
      case 'custom':
        return options.transport!.description;
      case 'none':
        return 'nowhere: no SIGIL_SMTP_URL, mails stay queued';
    }
  };

  return {
    mode,
    description: describe,
    get worker() {
      return worker;
    },
    start() {
      if (worker) return;
      const current = mode();
      if (current === 'none') {
        logger.warn(
          { event: 'mail_not_configured' },
          'SIGIL_SMTP_URL is not set and the issuer is not a loopback address: mail is queued but not sent (sigil mail list shows it); set SIGIL_SMTP_URL to send it',
        );
        return;
      }
      transport =
        current === 'custom'
          ? options.transport!
          : current === 'smtp'
            ? createSmtpTransport({ url: config.smtpUrl!, sendTimeoutMs: config.mailSendTimeout * 1000 })
            : createDevMailboxTransport(logger, mailboxUrl);
      worker = createMailWorker({
        db: options.db,
        transport,
        logger,
        config,
        issuer,
        now: options.now,
        resolvers: options.resolvers,
        // The dev mailbox renders mails from their data; nothing there leaves the machine.
        redact: current !== 'dev-mailbox',
      });
      worker.start();
      logger.info({ event: 'mail_delivery', mode: current, to: describe() }, `mail goes to ${describe()}`);
    },
    async stop() {
      const running = worker;
      worker = undefined;
      await running?.stop();
      if (transport && transport !== options.transport) await transport.close();
      transport = undefined;
    },
  };
}
