import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { renderMail, type RenderedMail } from '../../mail/templates.ts';
import type { MailData, MailTemplate } from '../../mail/outbox.ts';
import { listMail, type OutboxRecord } from '../../storage/mail-outbox.ts';
import type { AppContext } from '../context.ts';
import { escapeHtml } from '../html.ts';
import { isLoopbackAddress } from '../loopback.ts';

/** The newest mails the page and the JSON list show. */
const SHOWN = 100;

interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
  created_at: string;
}

function toEntry(row: OutboxRecord, ctx: AppContext): MailboxEntry {
  let mail: Pick<RenderedMail, 'subject' | 'text' | 'links'>;
  try {
    mail = renderMail(row.template, row.data as unknown as MailData[MailTemplate], {
      productName: ctx.config.productName,
      subjects: ctx.config.mailSubjects,
    });
  } catch {
    // Sent through SMTP before, when its data was emptied after delivery.
    mail = { subject: row.template, text: '(content not kept: this mail was delivered by SMTP)\n', links: [] };
  }
  return {
    id: row.id,
    to: row.recipient,
    subject: mail.subject,
    text: mail.text,
    links: mail.links,
    created_at: row.createdAt.toISOString(),
  };
}

/** The text part with its links made clickable (links are absolute http(s) URLs, see mail/layout.ts). */
function linkedText(entry: MailboxEntry): string {
  let html = escapeHtml(entry.text);
  for (const link of new Set(entry.links)) {
    const escaped = escapeHtml(link);
    html = html.split(escaped).join(`<a href="${escaped}">${escaped}</a>`);
  }
  return html;
}

function page(entries: MailboxEntry[], nonce: string): string {
  const items = entries
    .map(
      (entry) => `<article aria-labelledby="m-${entry.id}">
<h2 id="m-${entry.id}">${escapeHtml(entry.subject)}</h2>
<p class="meta">To <strong>${escapeHtml(entry.to)}</strong> · <time datetime="${entry.created_at}">${escapeHtml(entry.created_at.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC'))}</time></p>
<pre>${linkedText(entry)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Development mailbox · Sigil</title>
<style nonce="${nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1c2024; margin: 0; padding: 2rem 1rem; }
  main { max-width: 46rem; margin: 0 auto; }
  h1 { margin: 0 0 .5rem; font-size: 1.5rem; }
  article { background: #fff; padding: 1.2rem 1.5rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); margin: 1rem 0; }
  h2 { margin: 0; font-size: 1.15rem; }
  .meta { margin: .2rem 0 .8rem; color: #4a5259; font-size: .9rem; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0; }
  a { color: #364fc7; }
  a:focus { outline: 3px solid #4c6ef5; outline-offset: 1px; }
</style>
</head>
<body>
<main>
<h1>Development mailbox</h1>
<p>Mail this auth server sent while no <code>SIGIL_SMTP_URL</code> is set, newest first (the last ${SHOWN}). Nothing here left the machine. <a href="/dev/mailbox">Refresh</a> · <a href="/dev/mailbox.json">JSON</a></p>
${items || '<p>No mail yet.</p>'}
</main>
</body>
</html>`;
}

/**
 * The development mailbox (docs/server.md, "Mail"): `GET /dev/mailbox` (a page without
 * JavaScript, under the same strict CSP as the hosted login page) and `GET /dev/mailbox.json`
 * (for end-to-end tests). It exists only while mail goes to it, that is with no SMTP configured
 * and a loopback issuer, and it answers requests from this machine only: it shows reset links to
 * whoever opens it.
 */
export function devMailboxRoutes(ctx: AppContext): Router {
  const router = Router();
  // Only for this machine's own browser: a server bound to 0.0.0.0 with a loopback issuer would
  // otherwise show every reset link to its whole network.
  const enabled = (req: Request, _res: Response, next: NextFunction) =>
    ctx.devMailbox() && isLoopbackAddress(req.socket.remoteAddress) ? next() : next('router');
  const entries = async () => (await listMail(ctx.db, { statuses: ['sent'], limit: SHOWN })).map((row) => toEntry(row, ctx));

  router.get('/dev/mailbox.json', enabled, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await entries());
  });

  router.get('/dev/mailbox', enabled, async (_req, res) => {
    const nonce = randomBytes(16).toString('base64');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page(await entries(), nonce));
  });

  return router;
}
