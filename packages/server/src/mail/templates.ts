import { layoutMail, type MailBlock, type MailBody } from './layout.ts';
import type { MailData, MailTemplate } from './outbox.ts';

export interface RenderedMail extends MailBody {
  subject: string;
}

export interface TemplateSettings {
  productName: string;
  /** Subjects that replace the defaults; `{product}` stands for the product name. */
  subjects: Readonly<Partial<Record<MailTemplate, string>>>;
}

interface Template<T extends MailTemplate> {
  subject: string;
  heading: string;
  body(data: MailData[T], product: string): MailBlock[];
}

/** A mail that cannot be rendered (a field missing): sending it again cannot help. */
export class MailRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailRenderError';
  }
}

const IGNORE = 'If you did not ask for this, you can ignore this mail.';

// Texts say what happened and what to do; none repeats a link's lifetime, which is the account
// lifecycle's setting and not this file's.
const TEMPLATES: { [T in MailTemplate]: Template<T> } = {
  verify_email: {
    subject: '{product}: confirm your email address',
    heading: 'Confirm your email address',
    body: (data, product) => [
      `Open the link below to confirm that this address belongs to your ${product} account.`,
      { link: required(data.link, 'verify_email needs a link'), label: 'Confirm email address' },
      `The link works once and expires after a while. ${IGNORE}`,
    ],
  },
  password_reset: {
    subject: '{product}: reset your password',
    heading: 'Reset your password',
    body: (data, product) => [
      `Someone asked to reset the password of the ${product} account for ${data.email}. Open the link below to choose a new password.`,
      { link: required(data.link, 'password_reset has no link (no resolver created one)'), label: 'Choose a new password' },
      `The link works once and expires after a while. ${IGNORE} Your password stays as it is.`,
    ],
  },
  email_changed: {
    subject: '{product}: your email address is changing',
    heading: 'Your email address is changing',
    body: (data, product) => [
      `A change of your ${product} account's email address to ${required(data.new_email, 'email_changed needs new_email')} was requested. The change takes effect once it is confirmed from a mail sent to the new address.`,
      'If you did not ask for this, change your password now: someone else may know it.',
    ],
  },
  password_changed: {
    subject: '{product}: your password was changed',
    heading: 'Your password was changed',
    body: (_data, product) => [
      `The password of your ${product} account was just changed, and your other sessions were signed out.`,
      'If you did not do this, reset your password now from the sign-in page.',
    ],
  },
  account_deleted: {
    subject: '{product}: your account was deleted',
    heading: 'Your account was deleted',
    body: (_data, product) => [
      `Your ${product} account and its sessions were deleted. This is the last mail you receive from us about it.`,
      'If you did not do this, contact the people who run the service.',
    ],
  },
};

function required(value: string | undefined, message: string): string {
  if (typeof value !== 'string' || value === '') throw new MailRenderError(message);
  return value;
}

/** The subject of `template` with the configured override applied. */
export function mailSubject(template: MailTemplate, settings: TemplateSettings): string {
  return (settings.subjects[template] ?? TEMPLATES[template].subject).replaceAll('{product}', settings.productName);
}

/**
 * Renders a queued mail: subject, text and HTML parts, and its links. Throws `MailRenderError`
 * when the data lacks a field the template needs.
 *
 * @example
 * const mail = renderMail('verify_email', { link: 'https://auth.example/email/verify?token=…' }, { productName: 'Acme', subjects: {} });
 * mail.subject; // 'Acme: confirm your email address'
 */
export function renderMail<T extends MailTemplate>(template: T, data: MailData[T], settings: TemplateSettings): RenderedMail {
  const definition = TEMPLATES[template] as Template<T> | undefined;
  if (!definition) throw new MailRenderError(`unknown mail template ${String(template)}`);
  let body: MailBody;
  try {
    body = layoutMail(settings.productName, definition.heading, definition.body(data, settings.productName));
  } catch (error) {
    if (error instanceof MailRenderError) throw error;
    throw new MailRenderError(error instanceof Error ? error.message : String(error));
  }
  return { subject: mailSubject(template, settings), ...body };
}
