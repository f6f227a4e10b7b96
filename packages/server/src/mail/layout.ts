import { escapeHtml } from '../http/html.ts';

/** One piece of a mail's body: a paragraph, or a link shown as a button (and as plain text). */
export type MailBlock = string | { link: string; label: string };

export interface MailBody {
  text: string;
  html: string;
  /** The links of the mail, in order (the dev mailbox lists them). */
  links: string[];
}

/**
 * Lays out a mail once for both parts: the text part (what many clients show, and what a
 * screen reader reads) and a small HTML part with inline styles, which is all mail clients keep.
 * Every value is escaped; links must be absolute http(s) URLs (never `javascript:` or relative).
 */
export function layoutMail(productName: string, heading: string, blocks: readonly MailBlock[]): MailBody {
  const links: string[] = [];
  const text: string[] = [heading, ''];
  const html: string[] = [];
  for (const block of blocks) {
    if (typeof block === 'string') {
      text.push(block, '');
      html.push(`<p style="margin:0 0 16px">${escapeHtml(block)}</p>`);
      continue;
    }
    const url = checkedLink(block.link);
    links.push(url);
    text.push(`${block.label}: ${url}`, '');
    html.push(
      `<p style="margin:24px 0"><a href="${escapeHtml(url)}" style="background:#364fc7;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(block.label)}</a></p>`,
      `<p style="margin:0 0 16px;font-size:13px;color:#555555">Or open this link: <a href="${escapeHtml(url)}" style="color:#364fc7;word-break:break-all">${escapeHtml(url)}</a></p>`,
    );
  }
  text.push(`-- ${productName}`);
  return {
    text: `${text.join('\n')}\n`,
    html: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(heading)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2024">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px">
<p style="margin:0 0 8px;font-size:14px;font-weight:600;color:#555555">${escapeHtml(productName)}</p>
<h1 style="margin:0 0 16px;font-size:22px">${escapeHtml(heading)}</h1>
${html.join('\n')}
</div>
</body>
</html>
`,
    links,
  };
}

function checkedLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new TypeError('a mail link must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('a mail link must be an http(s) URL');
  return url.href;
}
