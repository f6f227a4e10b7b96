import { describe, expect, it } from 'vitest';
import { MAIL_TEMPLATES } from './config.ts';
import type { MailData, MailTemplate } from './outbox.ts';
import { MailRenderError, renderMail } from './templates.ts';

const settings = { productName: 'Acme', subjects: {} };
const SAMPLE: { [T in MailTemplate]: MailData[T] } = {
  verify_email: { link: 'https://auth.acme.test/email/verify?token=abc' },
  password_reset: { email: 'ada@acme.test', link: 'https://auth.acme.test/password/reset?token=def' },
  email_changed: { new_email: 'new@acme.test' },
  password_changed: {},
  account_deleted: {},
};

describe('mail templates', () => {
  it.each(MAIL_TEMPLATES)('%s has a subject, a text part and an HTML part naming the product', (template) => {
    const mail = renderMail(template, SAMPLE[template] as never, settings);
    expect(mail.subject).toMatch(/^Acme: /);
    expect(mail.text).toContain('Acme');
    expect(mail.text.endsWith('-- Acme\n')).toBe(true);
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.html).toContain('<html lang="en">');
    const link = (SAMPLE[template] as { link?: string }).link;
    expect(mail.links).toEqual(link ? [link] : []);
    if (link) {
      expect(mail.text).toContain(link);
      expect(mail.html).toContain(`href="${link}"`);
    }
  });

  it('uses a configured subject, with {product} replaced', () => {
    const mail = renderMail('password_reset', SAMPLE.password_reset, {
      productName: 'Acme',
      subjects: { password_reset: 'Reset your {product} password' },
    });
    expect(mail.subject).toBe('Reset your Acme password');
  });

  it('escapes every value in the HTML part', () => {
    const mail = renderMail(
      'email_changed',
      { new_email: '"><img src=x onerror=alert(1)>@evil.test' },
      { ...settings, productName: 'A&B <Co>' },
    );
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@evil.test');
    expect(mail.html).toContain('A&amp;B &lt;Co&gt;');
    // The text part is plain text: shown as is.
    expect(mail.text).toContain('"><img src=x onerror=alert(1)>@evil.test');
  });

  it('refuses a link that is not an absolute http(s) URL, and a missing one', () => {
    expect(() => renderMail('verify_email', { link: 'javascript:alert(1)' }, settings)).toThrow(MailRenderError);
    expect(() => renderMail('verify_email', { link: '/email/verify?token=abc' }, settings)).toThrow(MailRenderError);
    expect(() => renderMail('password_reset', { email: 'ada@acme.test' }, settings)).toThrow(/no link/);
  });
});
