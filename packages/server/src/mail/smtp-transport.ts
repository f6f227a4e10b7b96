import nodemailer from 'nodemailer';
import type { MailMessage, MailTransport } from './transport.ts';

export interface SmtpTransportOptions {
  /** `smtp://user:password@host:port` or `smtps://...` (implicit TLS); credentials URL-encoded. */
  url: string;
  /** One send, connecting included, fails after this many milliseconds. */
  sendTimeoutMs: number;
  /** Connections kept open to the server (the worker sends this many mails at once). @default 4 */
  maxConnections?: number;
}

/** `smtp://user@host:port`: the URL without its password, for logs. */
export function describeSmtpUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.href.replace(/\/$/, '');
}

/**
 * Mail over SMTP with nodemailer, through a small pool of kept-open connections. `smtp://`
 * upgrades with STARTTLS when the server offers it; `smtps://` is TLS from the first byte.
 *
 * @example
 * const transport = createSmtpTransport({ url: 'smtp://user:pass@mail.example:587', sendTimeoutMs: 30_000 });
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const url = new URL(options.url);
  const secrets = [url.password, decodeURIComponent(url.password)].filter((s) => s.length > 0);
  const timeout = options.sendTimeoutMs;
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 4,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Nodemailer's own logger stays off: it would print the SMTP dialogue, mail bodies included.
    logger: false,
  });

  // An SMTP server's reply goes to logs and `last_error`: it must not echo the password back.
  const scrub = (error: unknown): Error => {
    let message = error instanceof Error ? error.message : String(error);
    for (const secret of secrets) message = message.split(secret).join('[redacted]');
    return new Error(message);
  };

  return {
    description: describeSmtpUrl(options.url),
    async send(message: MailMessage) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`SMTP send timed out after ${timeout} ms`)), timeout);
      });
      try {
        await Promise.race([
          transporter.sendMail({
            messageId: message.messageId,
            from: message.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
          }),
          timedOut,
        ]);
      } catch (error) {
        throw scrub(error);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      transporter.close();
    },
  };
}
