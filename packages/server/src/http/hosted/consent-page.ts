import { hasScope } from '../../oauth/scopes.ts';
import { escapeHtml } from '../html.ts';
import { hidden, html, join, paragraph, type Html, type PageMarkup } from './html.ts';

export interface ConsentForm {
  csrfToken: string;
  consentToken: string;
  returnTo: string;
  clientName: string;
  scope: string;
  email: string;
}

/** What each scope lets the application do, in the user's words. */
function permissions(scope: string): string[] {
  const items = ['know who you are (your account id)'];
  if (hasScope(scope, 'email')) items.push('see your email address');
  if (hasScope(scope, 'profile')) items.push('see your name');
  if (hasScope(scope, 'offline_access')) items.push('stay signed in until you sign out');
  return items;
}

/**
 * The consent page of a third-party client: one form with two buttons, posted with the CSRF
 * token and the single-use consent token, under the hosted pages' CSP (no framing: a consent
 * cannot be clickjacked).
 */
export function consentPage(o: ConsentForm): PageMarkup {
  const list: Html = html(
    `<ul>\n${permissions(o.scope)
      .map((p) => `<li>${escapeHtml(p)}</li>`)
      .join('\n')}\n</ul>\n`,
  );
  const buttons = html(
    '<button type="submit" name="decision" value="allow">Allow</button>\n<button type="submit" name="decision" value="deny" class="secondary">Deny</button>\n',
  );
  return {
    title: `Allow ${o.clientName}?`,
    referrer: 'same-origin',
    body: join(
      paragraph(`${o.clientName} asks to use your Sigil account ${o.email}. It will be able to:`),
      list,
      html(
        `<form method="post" action="/oauth/consent">\n${
          join(hidden('csrf_token', o.csrfToken), hidden('consent', o.consentToken), hidden('return_to', o.returnTo), buttons).html
        }</form>\n`,
      ),
    ),
  };
}
