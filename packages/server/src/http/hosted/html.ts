/**
 * The markup of the hosted pages (login, signup, forgotten and new password, email verification):
 * one layout and accessible form parts, no JavaScript. Everything interpolated goes through
 * `escapeHtml`; the parts below take text, never markup, except `body`.
 */

import { escapeHtml } from '../html.ts';

/** A trusted fragment of markup, built by the helpers of this module from escaped text. */
export type Html = { readonly html: string };

export const html = (markup: string): Html => ({ html: markup });

export interface PageMarkup {
  /** The page's `<title>` and `<h1>`. */
  title: string;
  /** A problem with the whole form (shown first, announced by screen readers). */
  error?: string;
  body: Html;
  /**
   * `same-origin` lets a form post carry its Origin (the CSRF check reads it); pages whose URL
   * holds a link token leave it to the `Referrer-Policy: no-referrer` header.
   */
  referrer?: 'same-origin';
  /**
   * Same-origin scripts the page loads with its nonce: progressive enhancement only (the sign-in
   * page's passkey button); every page works without them.
   */
  scripts?: readonly string[];
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1c2024; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: min(22rem, 90vw); }
  h1 { margin: 0 0 1rem; font-size: 1.4rem; }
  label { display: block; margin: .8rem 0 .2rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; border: 1px solid #9aa1a9; border-radius: 6px; font: inherit; }
  input[aria-invalid="true"] { border-color: #a51d1d; }
  input:focus, button:focus, a:focus { outline: 3px solid #4c6ef5; outline-offset: 1px; }
  button { margin-top: 1.2rem; width: 100%; padding: .7rem; border: 0; border-radius: 6px; background: #364fc7; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  form + form button { background: transparent; color: #364fc7; border: 1px solid #364fc7; }
  a { color: #364fc7; }
  .error { background: #fff0f0; color: #a51d1d; padding: .6rem; border-radius: 6px; }
  .field-error { color: #a51d1d; margin: .2rem 0; font-size: .9rem; }
  .hint { color: #4a5058; margin: .2rem 0; font-size: .9rem; }
  button.secondary { background: #fff; color: #364fc7; border: 1px solid #364fc7; }
  .links { margin: 1.2rem 0 0; display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
`;

/** The whole document; `nonce` admits the one inline style (and the page's scripts) under its CSP. */
export function renderPage(page: PageMarkup, nonce: string): string {
  const error = page.error ? alert(page.error).html : '';
  const scripts = (page.scripts ?? []).map((src) => `<script nonce="${nonce}" src="${escapeHtml(src)}" defer></script>\n`).join('');
  const referrer = page.referrer ? `<meta name="referrer" content="${page.referrer}">\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${referrer}<title>${escapeHtml(page.title)} · Sigil</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
${error}${page.body.html}
</main>
${scripts}</body>
</html>`;
}

export interface FieldOptions {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  /** The WHATWG autocomplete token, so password managers fill (or generate) the right value. */
  autocomplete: string;
  value?: string;
  required?: boolean;
  hint?: string;
  /** This field's problem: shown beside it and tied to it with `aria-describedby`. */
  error?: string;
  /** The virtual keyboard to show (`numeric` for a TOTP code). */
  inputMode?: 'numeric';
}

/** A labelled input with its hint and error, both tied to it for assistive technology. */
export function field(o: FieldOptions): Html {
  const hint = o.hint ? `<p class="hint" id="${o.name}-hint">${escapeHtml(o.hint)}</p>\n` : '';
  const error = o.error ? `<p class="field-error" id="${o.name}-error">${escapeHtml(o.error)}</p>\n` : '';
  const describedBy = [o.hint && `${o.name}-hint`, o.error && `${o.name}-error`].filter(Boolean).join(' ');
  const attributes = [
    `id="${o.name}"`,
    `name="${o.name}"`,
    `type="${o.type}"`,
    `autocomplete="${escapeHtml(o.autocomplete)}"`,
    o.required === false ? '' : 'required',
    o.error ? 'aria-invalid="true"' : '',
    describedBy ? `aria-describedby="${describedBy}"` : '',
    o.type === 'password' ? '' : `value="${escapeHtml(o.value ?? '')}"`,
    o.inputMode ? `inputmode="${o.inputMode}"` : '',
  ].filter(Boolean);
  return html(`<label for="${o.name}">${escapeHtml(o.label)}</label>\n${hint}${error}<input ${attributes.join(' ')}>\n`);
}

export function hidden(name: string, value: string): Html {
  return html(`<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`);
}

/** A POST form to `action` with the CSRF token, the given parts and one submit button. */
export function form(action: string, csrfToken: string, parts: Html[], submit: string): Html {
  return html(
    `<form method="post" action="${escapeHtml(action)}">\n${hidden('csrf_token', csrfToken).html}${parts.map((p) => p.html).join('')}<button type="submit">${escapeHtml(submit)}</button>\n</form>\n`,
  );
}

/** A message announced by screen readers as soon as the page shows (a refusal, a problem). */
export function alert(text: string): Html {
  return html(`<p class="error" role="alert">${escapeHtml(text)}</p>\n`);
}

export function paragraph(text: string): Html {
  return html(`<p>${escapeHtml(text)}</p>\n`);
}

/** A row of links below a form ("Forgot password?", "Create account"). */
export function links(items: ReadonlyArray<{ href: string; text: string }>): Html {
  if (items.length === 0) return html('');
  return html(`<p class="links">${items.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`).join(' ')}</p>\n`);
}

export function join(...parts: Html[]): Html {
  return html(parts.map((p) => p.html).join(''));
}
