import { escapeHtml } from '../html.ts';
import { hidden, html, type Html } from './html.ts';

/** Where the sign-in page's passkey script is served (routes/hosted-passkey.ts). */
export const PASSKEY_SCRIPT_PATH = '/login/passkey.js';

/**
 * The sign-in page's "Sign in with a passkey" part (docs/server.md, "Hosted login page"). It is
 * `hidden` until the page's script finds WebAuthn in the browser, so without JavaScript the page
 * is the password form alone. The script fills the hidden form's `response` with the assertion
 * and submits it to `POST /login/passkey`, a form post like the password's: CSRF-checked, and the
 * refresh cookie and the redirect to `return_to` come from the server.
 */
export function passkeySignIn(o: { csrfToken: string; returnTo: string }): Html {
  return html(
    `<section id="passkey" hidden>
<form id="passkey-form" method="post" action="/login/passkey">
${hidden('csrf_token', o.csrfToken).html}${hidden('return_to', o.returnTo).html}<input type="hidden" name="response" value="">
<button type="button" id="passkey-button" class="secondary">${escapeHtml('Sign in with a passkey')}</button>
</form>
<p class="hint" id="passkey-status" role="status"></p>
</section>
`,
  );
}
