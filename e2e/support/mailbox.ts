/**
 * The auth server's development mailbox (`GET /dev/mailbox.json`), where the demo stack keeps
 * every mail it sends (no SMTP server): the e2e suite's inbox.
 */
import { AUTH } from './stack.ts';

interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
  created_at: string;
}

/** Mails already handed to a test: `nextLink` never returns one twice. */
const taken = new Set<string>();

/**
 * The first link containing `part` (`/email/verify?`, `/password/reset?`) of the next mail to
 * `to` that has one, waiting for the mail worker to deliver it.
 */
export async function nextLink(to: string, part: string, timeoutMs = 20_000): Promise<URL> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await (await fetch(`${AUTH}/dev/mailbox.json`)).json()) as MailboxEntry[];
    // Newest first: the oldest mail not taken yet is the next one.
    const mail = mails.reverse().find((m) => !taken.has(m.id) && m.to === to && m.links.some((link) => link.includes(part)));
    if (mail) {
      taken.add(mail.id);
      return new URL(mail.links.find((link) => link.includes(part))!);
    }
    if (Date.now() > deadline) throw new Error(`e2e: no mail to ${to} with a ${part} link in ${AUTH}/dev/mailbox.json`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
