import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { SigilError } from '../../errors.ts';
import { alert, join, paragraph, renderPage, type Html, type PageMarkup } from './html.ts';

/**
 * Sends a hosted page under the CSP every hosted page shares: nothing but its own nonce'd style,
 * forms that post only to this server (and `redirectTo`, when a successful post redirects there:
 * browsers apply `form-action` to that redirect too), no framing, no `<base>`. Never cached. A
 * page with scripts (`page.scripts`) admits those with the same nonce, and lets them call this
 * server's API (`connect-src 'self'`); no inline script runs, nonce or not.
 *
 * @example
 * sendPage(res, 200, { title: 'Sign in', body }, { redirectTo: 'https://app.example.com' });
 */
export function sendPage(res: Response, status: number, page: PageMarkup, options: { redirectTo?: string } = {}): void {
  const nonce = randomBytes(16).toString('base64');
  const formAction = options.redirectTo ? `'self' ${new URL(options.redirectTo).origin}` : "'self'";
  const scripts = page.scripts?.length ? ` script-src 'nonce-${nonce}'; connect-src 'self';` : '';
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}';${scripts} form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('html').send(renderPage(page, nonce));
}

/**
 * A page with one sentence, and what follows it (a link onwards): a result (`kind: 'result'`),
 * or a refusal or "try again later", announced as an alert.
 */
export function sendMessage(
  res: Response,
  status: number,
  title: string,
  message: string,
  options: { kind?: 'alert' | 'result'; then?: Html } = {},
): void {
  const sentence = options.kind === 'result' ? paragraph(message) : alert(message);
  sendPage(res, status, { title, body: options.then ? join(sentence, options.then) : sentence });
}

/**
 * A browser posted a form, so a spent rate-limit budget is answered with a page (and its
 * Retry-After), not problem+json. Other errors go on to the problem handler.
 */
export function sendRateLimited(res: Response, error: unknown, title: string): void {
  if (!(error instanceof SigilError) || error.code !== 'rate_limited') throw error;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendMessage(res, 429, title, 'Too many attempts. Try again later.');
}
