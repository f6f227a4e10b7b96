/** One rendered mail, ready for a transport. */
export interface MailMessage {
  /** `<outbox-id@issuer-host>`: the same on every attempt, so a receiver can drop a resend. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The mail's links (the dev mailbox prints them; SMTP ignores this). */
  links: readonly string[];
}

/**
 * Where the worker hands mail: SMTP (smtp-transport.ts), the development mailbox
 * (dev-mailbox.ts), or a test's own. `send` resolves once the mail is accepted and rejects when
 * it was not; the worker retries on rejection.
 */
export interface MailTransport {
  /** Where mail goes, for logs and startup lines; never carries a password. */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
