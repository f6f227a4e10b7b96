import { z } from 'zod';
import type { MailTemplate } from './outbox.ts';

/** Every template the outbox knows (the keys of `MailData`). */
export const MAIL_TEMPLATES = [
  'verify_email',
  'password_reset',
  'email_changed',
  'password_changed',
  'account_deleted',
] as const satisfies readonly MailTemplate[];

// A header value: a CR or LF would let a configured subject or sender inject mail headers.
const headerText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), 'must be one line');

const smtpUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    // The value may carry a password: never echo it.
    ctx.addIssue({ code: 'custom', message: 'expected smtp://[user:password@]host[:port] or smtps://...' });
    return z.NEVER;
  }
  return url.href;
});

const subject = headerText(200).optional();
const subjects = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object such as {"password_reset":"Reset your password"}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.strictObject({
      verify_email: subject,
      password_reset: subject,
      email_changed: subject,
      password_changed: subject,
      account_deleted: subject,
    } satisfies Record<MailTemplate, unknown>),
  );

/**
 * The mail settings of the server configuration (docs/server.md, "Mail"), merged into
 * `configSchema`. `duration` is the config's own duration parser, so mail durations read like
 * every other one.
 */
export function mailConfigShape<D extends z.ZodType>(duration: (fallback: string) => D) {
  return {
    /** `smtp://user:password@host:587` or `smtps://...`; unset: the dev mailbox (loopback issuer) or nothing sent. */
    smtpUrl: smtpUrl.optional(),
    /** Sender of every mail. @default 'Sigil <no-reply@localhost>' */
    mailFrom: headerText(320)
      .refine(
        (value) => /^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(value),
        'expected an address such as Acme <no-reply@acme.example>',
      )
      .default('Sigil <no-reply@localhost>'),
    /** Shown in every mail and in the default subjects. @default 'Sigil' */
    productName: headerText(100).default('Sigil'),
    /** Subject per template, as a JSON object; `{product}` stands for the product name. @default {} */
    mailSubjects: subjects.default({}),
    /** Attempts before a mail is marked failed (dead). @default 8 */
    mailMaxAttempts: z.coerce.number().int().min(1).max(100).default(8),
    /** Delay before the first retry; each further one doubles. @default 5s */
    mailRetryBase: duration('5s'),
    /** Longest delay between two attempts. @default 1h */
    mailRetryMax: duration('1h'),
    /** One SMTP send, connection included, gives up after this. @default 30s */
    mailSendTimeout: duration('30s'),
    /** How often the worker looks for due mail. @default 1s */
    mailPollInterval: duration('1s'),
  };
}

export const MAIL_ENV_NAMES = {
  smtpUrl: 'SIGIL_SMTP_URL',
  mailFrom: 'SIGIL_MAIL_FROM',
  productName: 'SIGIL_PRODUCT_NAME',
  mailSubjects: 'SIGIL_MAIL_SUBJECTS',
  mailMaxAttempts: 'SIGIL_MAIL_MAX_ATTEMPTS',
  mailRetryBase: 'SIGIL_MAIL_RETRY_BASE',
  mailRetryMax: 'SIGIL_MAIL_RETRY_MAX',
  mailSendTimeout: 'SIGIL_MAIL_SEND_TIMEOUT',
  mailPollInterval: 'SIGIL_MAIL_POLL_INTERVAL',
} as const;

/** Cross-field checks of the mail settings, for `configSchema.superRefine`. */
export function checkMailConfig(c: { mailRetryBase: number; mailRetryMax: number }, ctx: z.RefinementCtx): void {
  if (c.mailRetryMax < c.mailRetryBase)
    ctx.addIssue({ code: 'custom', path: ['mailRetryMax'], message: 'SIGIL_MAIL_RETRY_MAX must be at least SIGIL_MAIL_RETRY_BASE' });
}
